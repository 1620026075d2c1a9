import type * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../params/params.js"
import type { Rng } from "../random/rng.js"
import { type Activation, activate, activationKinds } from "./layers/activation.js"
import { requireShapes } from "./layers/check.js"
import { dense, denseInit, denseShapes } from "./layers/dense.js"
import { flatInput } from "./layers/flat-input.js"
import { biasRelu } from "./layers/relu.js"
import type { Model, ModelOutput } from "./model.js"
import { tidyOutput } from "./output.js"
import { oneOf, positiveInt, positiveIntList } from "./validate.js"

export interface MlpOptions {
  readonly inputDim: number
  /** Widths of the hidden layers; empty gives a linear model. */
  readonly hidden: readonly number[]
  readonly numClasses: number
  readonly activation?: Activation
}

/**
 * A multilayer perceptron: `h = act(h W_i + b_i)` for each hidden layer, logits = `h W_head + b_head`.
 * Params, in this order: `dense_0/kernel` [in, h0], `dense_0/bias`, ..., `head/kernel`, `head/bias`.
 * Features = the last hidden activation (the input itself when there is no hidden layer).
 * Activations `dense_i` are post-activation. Any input is flattened to [batch, inputDim].
 */
export const mlp = (options: MlpOptions): Model => {
  const inputDim = positiveInt(options.inputDim, "mlp.inputDim")
  const hidden = positiveIntList(options.hidden, "mlp.hidden")
  const numClasses = positiveInt(options.numClasses, "mlp.numClasses")
  const activation = oneOf(options.activation ?? "relu", activationKinds, "mlp.activation")
  const widths = [inputDim, ...hidden]
  const featureDim = widths[widths.length - 1]!
  const name = `mlp(${[...widths, numClasses].join("-")}, ${activation})`
  const shapes = [...hidden.flatMap((h, i) => denseShapes(`dense_${i}`, widths[i]!, h)), ...denseShapes("head", featureDim, numClasses)]

  return {
    name,
    numClasses,
    inputShape: [inputDim],
    featureDim,
    headWeight: "head/kernel",
    headBias: "head/bias",
    init: (rng: Rng): Params => {
      const p: Record<string, tf.Tensor> = {}
      hidden.forEach((h, i) => Object.assign(p, denseInit(rng, `dense_${i}`, widths[i]!, h)))
      return Object.assign(p, denseInit(rng, "head", featureDim, numClasses))
    },
    initState: () => ({}),
    apply: (params, x, options): ModelOutput => {
      requireShapes(params, shapes, name)
      return tidyOutput(() => {
        let h = flatInput(x, inputDim, name)
        const acts: Record<string, tf.Tensor> = {}
        hidden.forEach((_, i) => {
          h =
            activation === "relu"
              ? biasRelu(dense(params, `dense_${i}`, h, false), params[`dense_${i}/bias`]!)
              : activate(dense(params, `dense_${i}`, h), activation)
          acts[`dense_${i}`] = h
        })
        return { logits: dense(params, "head", h), features: h, activations: acts, state: options.state ?? {} }
      })
    }
  }
}

/** The reference MLP of the paper's small-scale runs: 3072-512-512-10, ReLU. */
export const referenceMlp = (numClasses = 10): Model => mlp({ inputDim: 3072, hidden: [512, 512], numClasses, activation: "relu" })
