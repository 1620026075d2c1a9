import * as tf from "@tensorflow/tfjs-core"
import type { GradConfig } from "@tensorflow/tfjs-core"
import { floats, geometry, leadingAxes, perChannel, withGradient } from "./channel-inputs.js"
import type { NativeKernelSpec } from "./spec.js"
import { output } from "./values.js"

/**
 * Kernels of this backend's own (no cpu twin) for training-mode batch normalisation over the
 * last axis ("channels", NHWC) of a float32 tensor seen as [rows, channels]. Per-channel
 * vectors have `channels` elements (any shape); each kernel is one pass over its full-size
 * operands. @samlab/core-tensor's batch norm calls them by name when they are registered for
 * the active backend (`tf.getKernel(name, tf.getBackend())`) and runs tfjs ops otherwise.
 */
export const batchNormKernelNames = {
  /** {x} -> [mean, variance]: per-channel mean and biased variance ([channels] each). */
  channelMoments: "SamlabChannelMoments",
  /** {x, scale, offset} -> x * scale + offset per channel (x's shape). */
  channelAffine: "SamlabChannelAffine",
  /** {dy, x, center?} -> [sum(dy), sum(dy (x - center))] per channel; no center: sum(dy x). */
  channelGradSums: "SamlabChannelGradSums",
  /** {dy, x, a, k, c} -> dy * a - x * k + c per channel (x's shape). */
  channelAffineGrad: "SamlabChannelAffineGrad"
} as const

const channelMomentsKernel: NativeKernelSpec = {
  kernelName: batchNormKernelNames.channelMoments,
  own: true,
  run: ({ inputs, backend }, addon) => {
    const k = batchNormKernelNames.channelMoments
    const x = inputs["x"]
    const xv = floats(k, backend, x, "x")
    const { rows, channels } = geometry(k, x!)
    const mean = backend.allocFloat32(channels),
      variance = backend.allocFloat32(channels)
    addon.channelMoments(xv, mean, variance, rows, channels)
    return [output(backend, [channels], mean), output(backend, [channels], variance)]
  }
}

const channelAffineKernel: NativeKernelSpec = {
  kernelName: batchNormKernelNames.channelAffine,
  own: true,
  run: ({ inputs, backend }, addon) => {
    const k = batchNormKernelNames.channelAffine
    const x = inputs["x"]
    const xv = floats(k, backend, x, "x")
    const { rows, channels } = geometry(k, x!)
    const scale = perChannel(k, backend, inputs["scale"], "scale", channels)
    const offset = perChannel(k, backend, inputs["offset"], "offset", channels)
    const values = backend.allocFloat32(rows * channels)
    addon.channelAffine(xv, scale, offset, values, rows, channels)
    return output(backend, x!.shape, values)
  }
}

const channelGradSumsKernel: NativeKernelSpec = {
  kernelName: batchNormKernelNames.channelGradSums,
  own: true,
  run: ({ inputs, backend }, addon) => {
    const k = batchNormKernelNames.channelGradSums
    const { values: xv, dy: dyv, rows, channels } = withGradient(k, backend, inputs, "x")
    const center = inputs["center"] === undefined ? null : perChannel(k, backend, inputs["center"], "center", channels)
    const sumDy = backend.allocFloat32(channels),
      sumDyX = backend.allocFloat32(channels)
    addon.channelGradSums(dyv, xv, center, sumDy, sumDyX, rows, channels)
    return [output(backend, [channels], sumDy), output(backend, [channels], sumDyX)]
  }
}

const channelAffineGradKernel: NativeKernelSpec = {
  kernelName: batchNormKernelNames.channelAffineGrad,
  own: true,
  run: ({ inputs, backend }, addon) => {
    const k = batchNormKernelNames.channelAffineGrad
    const { operand: x, values: xv, dy: dyv, rows, channels } = withGradient(k, backend, inputs, "x")
    const a = perChannel(k, backend, inputs["a"], "a", channels)
    const kv = perChannel(k, backend, inputs["k"], "k", channels)
    const c = perChannel(k, backend, inputs["c"], "c", channels)
    const values = backend.allocFloat32(rows * channels)
    addon.channelAffineGrad(dyv, xv, a, kv, c, values, rows, channels)
    return output(backend, x.shape, values)
  }
}

export const batchNormKernels: readonly NativeKernelSpec[] = [channelMomentsKernel, channelAffineKernel, channelGradSumsKernel, channelAffineGradKernel]

/**
 * Gradients (tfjs ops, so any backend runs them) for the two kernels a model may be
 * differentiated through; the backward kernels (GradSums, AffineGrad) have none.
 */
export const batchNormGradients: readonly GradConfig[] = [
  {
    // d/dx of (mean, biased variance) over rows: (dMean + 2 dVar (x - mean)) / rows.
    kernelName: batchNormKernelNames.channelMoments,
    inputsToSave: ["x"],
    outputsToSave: [true, false],
    gradFunc: (dys, saved) => {
      const [dMean, dVar] = dys as tf.Tensor[]
      const [x, mean] = saved as [tf.Tensor, tf.Tensor]
      const rows = x.size / x.shape[x.rank - 1]!
      return { x: () => tf.div(tf.add(dMean!, tf.mul(tf.mul(dVar!, 2), tf.sub(x, mean))), rows) }
    }
  },
  {
    kernelName: batchNormKernelNames.channelAffine,
    inputsToSave: ["x", "scale", "offset"],
    gradFunc: (dy, saved) => {
      const g = dy as tf.Tensor
      const [x, scale, offset] = saved as [tf.Tensor, tf.Tensor, tf.Tensor]
      const channels = x.shape[x.rank - 1]!
      return {
        x: () => tf.mul(g, tf.reshape(scale, [channels])),
        scale: () => tf.reshape(tf.sum(tf.mul(g, x), leadingAxes(x)), scale.shape),
        offset: () => tf.reshape(tf.sum(g, leadingAxes(x)), offset.shape)
      }
    }
  }
]
