import type * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../params/params.js"
import type { Rng } from "../random/rng.js"
import { requireShapes } from "./layers/check.js"
import { dense, denseInit, denseShapes } from "./layers/dense.js"
import { flatInput } from "./layers/flat-input.js"
import type { Model, ModelOutput } from "./model.js"
import { tidyOutput } from "./output.js"
import { booleanField, positiveInt } from "./validate.js"

export interface TwoLayerLinearOptions {
  readonly inputDim: number
  readonly hidden: number
  readonly numClasses: number
  /** Biases on both layers (default false: the paper's f(x) = (x W) V has none). */
  readonly bias?: boolean
}

/**
 * The two-layer linear network of the paper's Section 4.2, f(x) = (x W) V: features = x W
 * (`dense_0/kernel` [inputDim, hidden]), head = V (`head/kernel` [hidden, numClasses]).
 * Without biases by default, so `headBias` is undefined then.
 */
export const twoLayerLinear = (options: TwoLayerLinearOptions): Model => {
  const inputDim = positiveInt(options.inputDim, "twoLayerLinear.inputDim")
  const hidden = positiveInt(options.hidden, "twoLayerLinear.hidden")
  const numClasses = positiveInt(options.numClasses, "twoLayerLinear.numClasses")
  const bias = booleanField(options.bias ?? false, "twoLayerLinear.bias")
  const name = `twoLayerLinear(${inputDim}-${hidden}-${numClasses}${bias ? ", bias" : ""})`
  const shapes = [...denseShapes("dense_0", inputDim, hidden, bias), ...denseShapes("head", hidden, numClasses, bias)]
  return {
    name,
    numClasses,
    inputShape: [inputDim],
    featureDim: hidden,
    headWeight: "head/kernel",
    headBias: bias ? "head/bias" : undefined,
    init: (rng: Rng): Params => ({ ...denseInit(rng, "dense_0", inputDim, hidden, bias), ...denseInit(rng, "head", hidden, numClasses, bias) }),
    initState: () => ({}),
    apply: (params, x, options): ModelOutput => {
      requireShapes(params, shapes, name)
      return tidyOutput(() => {
        const features = dense(params, "dense_0", flatInput(x, inputDim, name), bias)
        const activations: Record<string, tf.Tensor> = { dense_0: features }
        return { logits: dense(params, "head", features, bias), features, activations, state: options.state ?? {} }
      })
    }
  }
}
