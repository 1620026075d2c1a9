import * as tf from "@tensorflow/tfjs-core"
import {
  type GradientTransformation,
  type StepResult,
  type TrainingMethod,
  NonFiniteLossError,
  OptimizerConfigError,
  applyUpdates,
  disposeParams,
  meanCrossEntropy,
  valueAndGradParamsWithAux
} from "@samlab/core-tensor"
import { assertLabelsInRange } from "@samlab/core-tensor/internal"
import { type JacobianPenaltyOptions, resolvePenaltyOptions } from "./options.js"
import { resolvedJacobianPenalty } from "./penalty.js"

export interface JacobianRegularizedOptions<S> extends JacobianPenaltyOptions {
  /** The base optimizer the gradient is handed to (sgd, adam, adamw, a chain...). */
  readonly base: GradientTransformation<S>
}

export interface JacobianRegStepResult<S> extends StepResult<S> {
  /** Mean cross-entropy at the params before the step, as every method reports it (the golden fixtures' `lossBeforeEachStep`). */
  readonly loss: number
  /** The penalty at the params before the step (lambdas included). */
  readonly penalty: number
  /** What the step descends: `loss + penalty`. */
  readonly objective: number
}

export interface JacobianRegularizedMethod<S> extends TrainingMethod<S> {
  step(...args: Parameters<TrainingMethod<S>["step"]>): JacobianRegStepResult<S>
}

/**
 * Training with the Jacobian regularizer: the gradient at `w` of
 * `mean CE + lambdaFeatures * mean_i c_i ||features(x_i)||^p + lambdaHead * ||W_head||_F^p`,
 * handed to `base` (which applies its own weight decay and momentum). One forward and one
 * backward pass per step: the penalty reads the features of the same forward pass.
 * Throws `OptimizerConfigError` for a bad setting, and at a step `MissingFeaturesError`,
 * `MissingHeadWeightError`, `LabelMismatchError` or `NonFiniteLossError` (with the step number).
 */
export const jacobianRegularized = <S>(options: JacobianRegularizedOptions<S>): JacobianRegularizedMethod<S> => {
  const penaltyOptions = resolvePenaltyOptions(options, "jacobianRegularized")
  const { base } = options
  if (typeof base !== "object" || base === null || typeof base.update !== "function") {
    throw new OptimizerConfigError("jacobianRegularized", "base", "must be a GradientTransformation (sgd, adam, adamw, chain...)")
  }
  const name = `jacreg(${base.name})`
  return {
    name,
    init: (params) => base.init(params),
    disposeState: (state) => base.disposeState(state),
    step: (params, state, batch, forward, stepNumber) => {
      const where = `${name} step ${stepNumber}`
      const { value, grads, aux } = valueAndGradParamsWithAux((p) => {
        const out = forward(p, batch.x)
        assertLabelsInRange(batch.y, out.logits.shape[1], where)
        const crossEntropy = meanCrossEntropy(out.logits, batch.y)
        const penalty = resolvedJacobianPenalty(out, p, penaltyOptions, batch.y, where)
        const objective = tf.add(crossEntropy, penalty) as tf.Scalar
        // The three numbers go to the host in one read.
        return { loss: objective, aux: { terms: tf.stack([objective, crossEntropy, penalty]), state: out.state } }
      }, params)
      try {
        const [objective, loss, penalty] = aux.terms.dataSync() as unknown as [number, number, number]
        if (!Number.isFinite(objective)) throw new NonFiniteLossError(name, stepNumber, objective)
        const { updates, state: next } = base.update(grads, state, params)
        const newParams = applyUpdates(params, updates)
        disposeParams(updates)
        return { params: newParams, state: next, loss, penalty, objective, modelState: aux.state }
      } catch (e) {
        disposeParams(aux.state)
        throw e
      } finally {
        value.dispose()
        aux.terms.dispose()
        disposeParams(grads)
      }
    }
  }
}
