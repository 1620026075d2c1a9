import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../params/params.js"
import type { Rng } from "../random/rng.js"
import { ModelSpecError } from "./errors.js"
import { type ImageShape, cifarImageShape, imageShape } from "./image-shape.js"
import { requireShapes } from "./layers/check.js"
import { type ConvSpec, conv2d, conv2dInit, conv2dShapes } from "./layers/conv2d.js"
import { dense, denseInit, denseShapes } from "./layers/dense.js"
import { flatten } from "./layers/flatten.js"
import { imageInput } from "./layers/image-input.js"
import { maxPool2x2 } from "./layers/pool.js"
import { biasRelu } from "./layers/relu.js"
import type { Model, ModelOutput } from "./model.js"
import { tidyOutput } from "./output.js"
import { positiveInt, positiveIntList } from "./validate.js"

export interface SmallCnnOptions {
  readonly numClasses?: number
  /** Output channels of the 3x3 convolutions, one conv + ReLU + 2x2 max-pool block each (default [32, 64, 128]). */
  readonly channels?: readonly number[]
  /** Width of the dense ReLU layer whose output is the features (default 256). */
  readonly dense?: number
  /** One example's [height, width, channels] (default [32, 32, 3]). */
  readonly inputShape?: readonly number[]
}

/**
 * The reference small CNN for 32x32x3 images: for each entry of `channels`, a 3x3 'same'
 * convolution with bias, ReLU and 2x2 max-pooling; then flatten (4 * 4 * 128 = 2048 for the
 * defaults, NHWC order), a dense layer with ReLU (the features, `dense` wide) and the head.
 * Params: `conv_i/kernel` [3, 3, in, out], `conv_i/bias`, `dense_0/kernel`, `dense_0/bias`,
 * `head/kernel`, `head/bias`. Activations: `conv_i` (after ReLU), `pool_i`, `dense_0`.
 */
export const smallCnn = (options: SmallCnnOptions = {}): Model => {
  const numClasses = positiveInt(options.numClasses ?? 10, "smallCnn.numClasses")
  const channels = positiveIntList(options.channels ?? [32, 64, 128], "smallCnn.channels", 1)
  const denseWidth = positiveInt(options.dense ?? 256, "smallCnn.dense")
  const input: ImageShape = imageShape(options.inputShape ?? cifarImageShape, "smallCnn.inputShape")
  const [h, w, c] = input
  const shrink = 2 ** channels.length
  if (h < shrink || w < shrink) {
    throw new ModelSpecError("smallCnn.inputShape", `${channels.length} 2x2 poolings need height and width of at least ${shrink}, got ${h}x${w}`)
  }
  const pooledH = Math.floor(h / shrink) // floor at each pooling equals floor of the total for integer sizes
  const pooledW = Math.floor(w / shrink)
  const flatDim = pooledH * pooledW * channels[channels.length - 1]!
  const convs: ConvSpec[] = channels.map((out, i) => ({ size: 3, inChannels: i === 0 ? c : channels[i - 1]!, outChannels: out }))
  const name = `smallCnn(${channels.join("-")}, dense ${denseWidth}, ${numClasses} classes)`
  const shapes = [
    ...convs.flatMap((s, i) => conv2dShapes(`conv_${i}`, s)),
    ...denseShapes("dense_0", flatDim, denseWidth),
    ...denseShapes("head", denseWidth, numClasses)
  ]

  return {
    name,
    numClasses,
    inputShape: input,
    featureDim: denseWidth,
    headWeight: "head/kernel",
    headBias: "head/bias",
    init: (rng: Rng): Params => {
      const p: Record<string, tf.Tensor> = {}
      convs.forEach((s, i) => Object.assign(p, conv2dInit(rng, `conv_${i}`, s)))
      return Object.assign(p, denseInit(rng, "dense_0", flatDim, denseWidth), denseInit(rng, "head", denseWidth, numClasses))
    },
    initState: () => ({}),
    apply: (params, x, options): ModelOutput => {
      requireShapes(params, shapes, name)
      return tidyOutput(() => {
        const acts: Record<string, tf.Tensor> = {}
        let a = imageInput(x, input, name)
        convs.forEach((s, i) => {
          const conv = biasRelu(conv2d(params, `conv_${i}`, a, { ...s, bias: false }), params[`conv_${i}/bias`]!)
          acts[`conv_${i}`] = conv
          a = maxPool2x2(conv)
          acts[`pool_${i}`] = a
        })
        const features = biasRelu(dense(params, "dense_0", flatten(a), false), params["dense_0/bias"]!)
        acts["dense_0"] = features
        return { logits: dense(params, "head", features), features, activations: acts, state: options.state ?? {} }
      })
    }
  }
}
