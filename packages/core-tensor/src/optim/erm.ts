import { meanCrossEntropy } from "../loss/cross-entropy.js"
import { assertLabelsInRange } from "../loss/validate.js"
import { disposeParams } from "../params/params.js"
import { applyUpdates } from "./apply-updates.js"
import { NonFiniteLossError } from "./errors.js"
import type { GradientTransformation, TrainingMethod } from "./transform.js"
import { valueAndGradParamsWithAux } from "./value-and-grad.js"

/**
 * Plain training (empirical risk minimisation): the gradient of the mean cross-entropy at
 * `w`, handed to `base`. One forward and one backward pass per step.
 */
export const erm = <S>(base: GradientTransformation<S>): TrainingMethod<S> => {
  const name = `erm(${base.name})`
  return {
    name,
    init: (params) => base.init(params),
    disposeState: (state) => base.disposeState(state),
    step: (params, state, batch, forward, stepNumber) => {
      const { value, grads, aux } = valueAndGradParamsWithAux((p) => {
        const out = forward(p, batch.x)
        assertLabelsInRange(batch.y, out.logits.shape[1], `${name} step ${stepNumber}`)
        return { loss: meanCrossEntropy(out.logits, batch.y), aux: out.state }
      }, params)
      try {
        const loss = value.dataSync()[0]!
        if (!Number.isFinite(loss)) throw new NonFiniteLossError(name, stepNumber, loss)
        const { updates, state: next } = base.update(grads, state, params)
        const newParams = applyUpdates(params, updates)
        disposeParams(updates)
        return { params: newParams, state: next, loss, modelState: aux }
      } catch (e) {
        disposeParams(aux)
        throw e
      } finally {
        value.dispose()
        disposeParams(grads)
      }
    }
  }
}

