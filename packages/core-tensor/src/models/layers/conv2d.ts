import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../../params/params.js"
import type { Rng } from "../../random/rng.js"
import { convGradientRoute } from "./backend-quirks.js"
import { conv2dPortableGrad } from "./conv2d-portable.js"
import { uniformFanIn } from "./init.js"

export interface ConvSpec {
  readonly size: number
  readonly inChannels: number
  readonly outChannels: number
  readonly stride?: number
  readonly bias?: boolean
}

/**
 * `name/kernel` [size, size, in, out] (tfjs HWIO layout) and, when `bias`, `name/bias` [out];
 * PyTorch default init with fan_in = size * size * in.
 */
export const conv2dInit = (rng: Rng, name: string, c: ConvSpec): Record<string, tf.Tensor> => {
  const fanIn = c.size * c.size * c.inChannels
  const out: Record<string, tf.Tensor> = {
    [`${name}/kernel`]: uniformFanIn(rng, `${name}/kernel`, [c.size, c.size, c.inChannels, c.outChannels], fanIn)
  }
  if (c.bias ?? true) out[`${name}/bias`] = uniformFanIn(rng, `${name}/bias`, [c.outChannels], fanIn)
  return out
}

export const conv2dShapes = (name: string, c: ConvSpec): Array<readonly [string, readonly number[]]> => {
  const kernel = [`${name}/kernel`, [c.size, c.size, c.inChannels, c.outChannels]] as const
  return (c.bias ?? true) ? [kernel, [`${name}/bias`, [c.outChannels]]] : [kernel]
}

/**
 * Convolution of an NHWC batch with symmetric zero padding (size - 1) / 2 on every side, as
 * PyTorch's `padding=1` for 3x3 and `padding=0` for 1x1. At stride 1 this is 'same'; at
 * stride 2 it differs from TF's 'same' (which pads only bottom/right) and matches PyTorch.
 * Where the backend's gradient kernels are missing (wasm) or slow (webgpu) the gradient is built
 * from portable ops (`convGradientRoute`).
 */
export const conv2d = (params: Params, name: string, x: tf.Tensor4D, c: ConvSpec): tf.Tensor4D => {
  const kernel = params[`${name}/kernel`] as tf.Tensor4D
  const pad = (c.size - 1) / 2
  const route = convGradientRoute()
  const y = route === "kernels" ? tf.conv2d(x, kernel, c.stride ?? 1, pad, "NHWC") : conv2dPortableGrad(x, kernel, c.stride ?? 1, pad, route)
  return (c.bias ?? true) ? tf.add<tf.Tensor4D>(y, params[`${name}/bias`]!) : y
}

/** Spatial size after `conv2d` with stride s: floor((n - 1) / s) + 1 for odd sizes with symmetric padding. */
export const convOutSize = (n: number, size: number, stride: number): number => Math.floor((n + 2 * ((size - 1) / 2) - size) / stride) + 1
