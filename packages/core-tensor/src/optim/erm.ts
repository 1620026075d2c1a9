import * as tf from "@tensorflow/tfjs-core"
import { meanCrossEntropy } from "../loss/cross-entropy.js"
import { assertLabelsInRange } from "../loss/validate.js"
import type { Params } from "../params/params.js"
import type { GradientEstimator } from "./estimator.js"
import type { GradientTransformation, TrainingMethod } from "./transform.js"
import { valueAndGradParamsWithAux } from "./value-and-grad.js"
import { withBase } from "./with-base.js"

interface ErmAux {
  readonly state: Params | undefined
  readonly terms: { readonly crossEntropy: tf.Scalar; readonly penalty: tf.Scalar } | undefined
}

/**
 * Empirical risk minimisation: the gradient at `w` of the mean cross-entropy (plus the loss
 * term, if any, on the same forward pass). One forward and one backward pass.
 */
export const ermEstimator: GradientEstimator = {
  name: "erm",
  estimate: (params, batch, forward, where, term) => {
    const { value, grads, aux } = valueAndGradParamsWithAux<ErmAux>((p) => {
      const out = forward(p, batch.x)
      assertLabelsInRange(batch.y, out.logits.shape[1], where)
      const crossEntropy = meanCrossEntropy(out.logits, batch.y)
      if (term === undefined) return { loss: crossEntropy, aux: { state: out.state, terms: undefined } }
      const penalty = term.value(out, p, batch.y, where)
      return { loss: tf.add(crossEntropy, penalty) as tf.Scalar, aux: { state: out.state, terms: { crossEntropy, penalty } } }
    }, params)
    if (aux.terms === undefined) return { grads, loss: value, modelState: aux.state }
    value.dispose()
    return { grads, loss: aux.terms.crossEntropy, penalty: aux.terms.penalty, modelState: aux.state }
  }
}

/** Plain training with `base` (one forward and one backward pass per step). */
export const erm = <S>(base: GradientTransformation<S>): TrainingMethod<S> => withBase(ermEstimator, base, `erm(${base.name})`)
