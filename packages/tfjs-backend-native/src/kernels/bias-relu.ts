import * as tf from "@tensorflow/tfjs-core"
import type { GradConfig } from "@tensorflow/tfjs-core"
import { floats, geometry, leadingAxes, perChannel, withGradient } from "./channel-inputs.js"
import type { NativeKernelSpec } from "./spec.js"
import { output } from "./values.js"

/**
 * Kernels of this backend's own (no cpu twin) for a ReLU and its bias add over the last axis
 * ("channels", NHWC) of a float32 tensor seen as [rows, channels]: one pass each, where tfjs
 * runs Add + Relu forward and Step + Multiply (+ Sum for the bias) backward.
 * @samlab/core-tensor's layers call them by name when they are registered for the active
 * backend and run tfjs ops otherwise.
 */
export const biasReluKernelNames = {
  /** {x, bias} -> relu(x + bias), bias one value per channel (x's shape). */
  biasRelu: "SamlabBiasRelu",
  /** {dy, y} -> dy * step(y), the ReLU gradient read from the ReLU's output y (y's shape). */
  reluGrad: "SamlabReluGrad",
  /** {dy, y} -> [dy * step(y), its per-channel sums] (the bias gradient of SamlabBiasRelu). */
  biasReluGrad: "SamlabBiasReluGrad"
} as const

const biasReluKernel: NativeKernelSpec = {
  kernelName: biasReluKernelNames.biasRelu,
  own: true,
  run: ({ inputs, backend }, addon) => {
    const k = biasReluKernelNames.biasRelu
    const x = inputs["x"]
    const xv = floats(k, backend, x, "x")
    const { rows, channels } = geometry(k, x!)
    const bias = perChannel(k, backend, inputs["bias"], "bias", channels)
    const values = backend.allocFloat32(rows * channels)
    addon.biasRelu(xv, bias, values, rows, channels)
    return output(backend, x!.shape, values)
  }
}

/** The ReLU gradient kernels, with (`sums`) or without the per-channel sums of dx. */
const reluGradKernel = (kernelName: string, sums: boolean): NativeKernelSpec => ({
  kernelName,
  own: true,
  run: ({ inputs, backend }, addon) => {
    const { operand: y, values: yv, dy: dyv, rows, channels } = withGradient(kernelName, backend, inputs, "y")
    const dx = backend.allocFloat32(rows * channels)
    const sumDx = sums ? backend.allocFloat32(channels) : null
    addon.reluGrad(dyv, yv, dx, sumDx, rows, channels)
    const dxInfo = output(backend, y.shape, dx)
    return sumDx === null ? dxInfo : [dxInfo, output(backend, [channels], sumDx)]
  }
})

export const biasReluKernels: readonly NativeKernelSpec[] = [
  biasReluKernel,
  reluGradKernel(biasReluKernelNames.reluGrad, false),
  reluGradKernel(biasReluKernelNames.biasReluGrad, true)
]

/**
 * The gradient of SamlabBiasRelu as tfjs ops, for a model differentiated through the kernel
 * itself (core-tensor wraps it in a custom gradient that calls SamlabBiasReluGrad instead).
 */
export const biasReluGradients: readonly GradConfig[] = [
  {
    kernelName: biasReluKernelNames.biasRelu,
    inputsToSave: ["bias"],
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [bias, y] = saved as [tf.Tensor, tf.Tensor]
      const dx = (): tf.Tensor => tf.mul(dy as tf.Tensor, tf.step(y))
      return { x: dx, bias: () => tf.reshape(tf.sum(dx(), leadingAxes(y)), bias.shape) }
    }
  }
]
