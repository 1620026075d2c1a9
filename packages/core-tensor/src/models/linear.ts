import type * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../params/params.js"
import type { Rng } from "../random/rng.js"
import { requireShapes } from "./layers/check.js"
import { dense, denseInit, denseShapes } from "./layers/dense.js"
import { flatInput } from "./layers/flat-input.js"
import type { Model, ModelOutput } from "./model.js"
import { tidyOutput } from "./output.js"
import { positiveInt } from "./validate.js"

export interface LinearOptions {
  readonly inputDim: number
  readonly numClasses: number
}

/**
 * Multinomial logistic regression: logits = x W + b. The features are the flattened input
 * and the head is the only layer (`head/kernel` [inputDim, numClasses], `head/bias`).
 */
export const linear = (options: LinearOptions): Model => {
  const inputDim = positiveInt(options.inputDim, "linear.inputDim")
  const numClasses = positiveInt(options.numClasses, "linear.numClasses")
  const name = `linear(${inputDim}-${numClasses})`
  const shapes = denseShapes("head", inputDim, numClasses)
  return {
    name,
    numClasses,
    inputShape: [inputDim],
    featureDim: inputDim,
    headWeight: "head/kernel",
    headBias: "head/bias",
    init: (rng: Rng): Params => denseInit(rng, "head", inputDim, numClasses),
    initState: () => ({}),
    apply: (params, x, options): ModelOutput => {
      requireShapes(params, shapes, name)
      return tidyOutput(() => {
        const features = flatInput(x, inputDim, name)
        const activations: Record<string, tf.Tensor> = {}
        return { logits: dense(params, "head", features), features, activations, state: options.state ?? {} }
      })
    }
  }
}
