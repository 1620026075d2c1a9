import * as tf from "@tensorflow/tfjs-core"
import type { GradConfig } from "@tensorflow/tfjs-core"
import { floats, geometry, perChannel, sameShape } from "./channel-inputs.js"
import type { NativeKernelArgs, NativeKernelSpec } from "./spec.js"
import { output } from "./values.js"

/**
 * Kernels of this backend's own (no cpu twin) for batch norm's affine map fused with the ReLU
 * after it, over the last axis ("channels", NHWC) of a float32 tensor seen as [rows, channels]:
 * one pass forward where Affine, Add and Relu took three, and without a residual the backward
 * kernels read the ReLU's mask from x (step(x * scale + offset), computed as the forward kernel
 * computes it) instead of a separate ReLU-gradient pass. @samlab/core-tensor's batch norm calls
 * them by name when they are registered for the active backend and runs its other kernels or
 * tfjs ops otherwise.
 */
export const batchNormReluKernelNames = {
  /** {x, scale, offset, residual?} -> relu(x * scale + offset + residual) per channel (x's shape). */
  channelAffineRelu: "SamlabChannelAffineRelu",
  /** {dy, x, scale, offset, center?} -> [sum(g), sum(g (x - center))], g = dy * step(x * scale + offset). */
  channelReluGradSums: "SamlabChannelReluGradSums",
  /** {dy, x, scale, offset, a, k, c} -> g * a - x * k + c per channel, g as above (x's shape). */
  channelReluAffineGrad: "SamlabChannelReluAffineGrad"
} as const

const channelAffineReluKernel: NativeKernelSpec = {
  kernelName: batchNormReluKernelNames.channelAffineRelu,
  own: true,
  run: ({ inputs, backend }, addon) => {
    const k = batchNormReluKernelNames.channelAffineRelu
    const x = inputs["x"],
      residual = inputs["residual"]
    const xv = floats(k, backend, x, "x")
    const { rows, channels } = geometry(k, x!)
    const scale = perChannel(k, backend, inputs["scale"], "scale", channels)
    const offset = perChannel(k, backend, inputs["offset"], "offset", channels)
    let rv: Float32Array | null = null
    if (residual !== undefined) {
      rv = floats(k, backend, residual, "residual")
      sameShape(k, x!, residual, "residual")
    }
    const values = backend.allocFloat32(rows * channels)
    addon.channelAffineRelu(xv, scale, offset, rv, values, rows, channels)
    return output(backend, x!.shape, values)
  }
}

/** The full-size operands and the ReLU mask's scale and offset of both backward kernels. */
const backwardInputs = (k: string, { inputs, backend }: NativeKernelArgs) => {
  const x = inputs["x"],
    dy = inputs["dy"]
  const xv = floats(k, backend, x, "x")
  const dyv = floats(k, backend, dy, "dy")
  sameShape(k, x!, dy!, "dy")
  const { rows, channels } = geometry(k, x!)
  const scale = perChannel(k, backend, inputs["scale"], "scale", channels)
  const offset = perChannel(k, backend, inputs["offset"], "offset", channels)
  return { x: x!, xv, dyv, rows, channels, scale, offset }
}

const channelReluGradSumsKernel: NativeKernelSpec = {
  kernelName: batchNormReluKernelNames.channelReluGradSums,
  own: true,
  run: (args, addon) => {
    const k = batchNormReluKernelNames.channelReluGradSums
    const { backend, inputs } = args
    const { xv, dyv, rows, channels, scale, offset } = backwardInputs(k, args)
    const center = inputs["center"] === undefined ? null : perChannel(k, backend, inputs["center"], "center", channels)
    const sumG = backend.allocFloat32(channels),
      sumGX = backend.allocFloat32(channels)
    addon.channelReluGradSums(dyv, xv, scale, offset, center, sumG, sumGX, rows, channels)
    return [output(backend, [channels], sumG), output(backend, [channels], sumGX)]
  }
}

const channelReluAffineGradKernel: NativeKernelSpec = {
  kernelName: batchNormReluKernelNames.channelReluAffineGrad,
  own: true,
  run: (args, addon) => {
    const k = batchNormReluKernelNames.channelReluAffineGrad
    const { backend, inputs } = args
    const { x, xv, dyv, rows, channels, scale, offset } = backwardInputs(k, args)
    const a = perChannel(k, backend, inputs["a"], "a", channels)
    const kv = perChannel(k, backend, inputs["k"], "k", channels)
    const c = perChannel(k, backend, inputs["c"], "c", channels)
    const values = backend.allocFloat32(rows * channels)
    addon.channelReluAffineGrad(dyv, xv, scale, offset, a, kv, c, values, rows, channels)
    return output(backend, x.shape, values)
  }
}

export const batchNormReluKernels: readonly NativeKernelSpec[] = [channelAffineReluKernel, channelReluGradSumsKernel, channelReluAffineGradKernel]

/**
 * The gradient of SamlabChannelAffineRelu as tfjs ops, for a model differentiated through the
 * kernel itself (core-tensor wraps it in a custom gradient that calls the backward kernels).
 */
export const batchNormReluGradients: readonly GradConfig[] = [
  {
    kernelName: batchNormReluKernelNames.channelAffineRelu,
    inputsToSave: ["x", "scale", "offset"],
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [x, scale, offset, y] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]
      const channels = x.shape[x.rank - 1]!
      const leading = Array.from({ length: x.rank - 1 }, (_, i) => i)
      const g = (): tf.Tensor => tf.mul(dy as tf.Tensor, tf.step(y))
      return {
        x: () => tf.mul(g(), tf.reshape(scale, [channels])),
        scale: () => tf.reshape(tf.sum(tf.mul(g(), x), leading), scale.shape),
        offset: () => tf.reshape(tf.sum(g(), leading), offset.shape),
        residual: g
      }
    }
  }
]
