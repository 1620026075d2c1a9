import * as tf from "@tensorflow/tfjs-core"
import { type Params, logitTerm, meanCrossEntropy, valueAndGradParams } from "@samlab/core-tensor"
import { SamConfigError } from "./errors.js"
import type { SamVariant } from "./options.js"
import { logitSurrogate } from "./surrogate.js"

/** What a batched path (dense stack, conv stack) offers the variants once its pass at w is done. */
export interface BatchedPasses {
  /** Every example's logits at its own chunk's perturbed weights, as a function of the weights `p` (for the gradient there). */
  readonly perturbedLogits: (p: Params) => tf.Tensor2D
  /** `sum_i J_i(w)^T cotangent_i` keyed like the params: the backward pass at w for a fixed output cotangent [batch, K]. */
  readonly gradAtW: (cotangent: tf.Tensor2D) => Params
}

/**
 * The method gradient from a batched path's passes: `sam` the gradient of the mean loss at each
 * chunk's `w + eps_c`; `jsam` the same with the logit term frozen at w (`u`); `lsam` the
 * backward pass at w with the logit term taken at `w + eps_c`.
 */
export const batchedVariantGradient = (variant: SamVariant, passes: BatchedPasses, params: Params, y: tf.Tensor1D, u: tf.Tensor2D, where: string): Params => {
  switch (variant) {
    case "sam":
      return valueAndGradParams((p) => meanCrossEntropy(passes.perturbedLogits(p), y), params).grads
    case "jsam":
      return valueAndGradParams((p) => logitSurrogate(passes.perturbedLogits(p), u), params).grads
    case "lsam":
      return passes.gradAtW(tf.div(logitTerm(passes.perturbedLogits(params), y), y.shape[0]))
    case "saner":
      throw new SamConfigError(where, "batched", "is not supported by SANER") // refused by checkSamOptions already
  }
}
