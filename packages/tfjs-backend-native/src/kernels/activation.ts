import * as tf from "@tensorflow/tfjs-core"
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import type { TensorInfo } from "@tensorflow/tfjs-core"
import type { NativeAddon } from "../addon.js"
import { UnaryOp } from "./codes.js"
import { f32, nativeFloat32, output, sizeOf } from "./values.js"

/** tfjs fused activations the addon applies itself (prelu needs weights and goes through the kernel). */
const nativeActivations: Readonly<Record<string, UnaryOp>> = {
  linear: UnaryOp.Linear,
  relu: UnaryOp.Relu,
  relu6: UnaryOp.Relu6,
  leakyrelu: UnaryOp.LeakyRelu,
  sigmoid: UnaryOp.Sigmoid,
  elu: UnaryOp.Elu
}

/** A bias the addon can add per column of a [rows, cols] result: `cols` values (all leading dims 1) or one value. */
const perColumnBias = (bias: TensorInfo, cols: number): boolean => {
  const size = sizeOf(bias.shape)
  return size === 1 || (size === cols && bias.shape.length >= 1 && bias.shape[bias.shape.length - 1] === cols)
}

const runKernel = (name: string, inputs: tf.NamedTensorInfoMap, backend: MathBackendCPU, attrs: tf.NamedAttrMap = {}): TensorInfo => {
  const kernel = tf.getKernel(name, "native") ?? tf.getKernel(name, "cpu")
  if (!kernel) throw new Error(`no ${name} kernel registered`)
  return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo
}

export interface FusedTail {
  readonly bias: TensorInfo | undefined
  readonly activation: string | undefined
  readonly leakyreluAlpha: number | undefined
  readonly preluActivationWeights: TensorInfo | undefined
}

/**
 * Finishes a fused op whose linear part is in `values` ([rows, cols] in row-major order,
 * shaped `shape`): adds the bias and applies the activation, in place in the addon when it
 * can, else through the kernels (a broadcast bias of another shape, prelu), freeing what
 * it makes along the way.
 */
export const finishFused = (
  addon: NativeAddon,
  backend: MathBackendCPU,
  values: Float32Array,
  shape: readonly number[],
  rows: number,
  cols: number,
  tail: FusedTail
): TensorInfo => {
  const activation = tail.activation ?? "linear"
  const actCode = nativeActivations[activation]
  const alpha = tail.leakyreluAlpha ?? 0.2
  const bias = tail.bias
  const biasInPlace = bias === undefined || (nativeFloat32(backend, bias) && perColumnBias(bias, cols))
  if (biasInPlace && actCode !== undefined) {
    if (bias !== undefined || actCode !== UnaryOp.Linear) addon.biasActivation(values, rows, cols, bias ? f32(backend, bias) : null, actCode, alpha)
    return output(backend, shape, values)
  }
  let current = output(backend, shape, values)
  if (bias !== undefined) {
    const added = runKernel("Add", { a: current, b: bias }, backend)
    backend.disposeIntermediateTensorInfo(current)
    current = added
  }
  if (activation !== "linear") {
    const activated =
      activation === "prelu"
        ? runKernel("Prelu", { x: current, alpha: tail.preluActivationWeights! }, backend)
        : activation === "leakyrelu"
          ? runKernel("LeakyRelu", { x: current }, backend, { alpha })
          : runKernel(activationKernel(activation), { x: current }, backend)
    backend.disposeIntermediateTensorInfo(current)
    current = activated
  }
  return current
}

const activationKernel = (activation: string): string => {
  switch (activation) {
    case "relu":
      return "Relu"
    case "relu6":
      return "Relu6"
    case "elu":
      return "Elu"
    case "sigmoid":
      return "Sigmoid"
    default:
      throw new Error(`Activation ${activation} has not been implemented for the native backend.`)
  }
}
