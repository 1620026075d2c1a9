import {
  type GradientTransformation,
  type StepResult,
  type TrainingMethod,
  OptimizerConfigError,
  ermEstimator,
  withBase,
  withLossTerm
} from "@samlab/core-tensor"
import { type JacobianPenaltyOptions, resolvePenaltyOptions } from "./options.js"
import { resolvedLossTerm } from "./penalty.js"

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
 * handed to `base` (which applies its own weight decay and momentum): ERM with
 * `jacobianLossTerm` (`withBase(withLossTerm(ermEstimator, term), base)`). One forward and one
 * backward pass per step: the penalty reads the features of the same forward pass.
 * Throws `OptimizerConfigError` for a bad setting, and at a step `MissingFeaturesError`,
 * `MissingHeadWeightError`, `LabelMismatchError` or `NonFiniteLossError` (with the step number).
 */
export const jacobianRegularized = <S>(options: JacobianRegularizedOptions<S>): JacobianRegularizedMethod<S> => {
  const term = resolvedLossTerm(resolvePenaltyOptions(options, "jacobianRegularized"))
  const { base } = options
  if (typeof base !== "object" || base === null || typeof base.update !== "function") {
    throw new OptimizerConfigError("jacobianRegularized", "base", "must be a GradientTransformation (sgd, adam, adamw, chain...)")
  }
  const method = withBase(withLossTerm(ermEstimator, term), base, `jacreg(${base.name})`)
  return {
    ...method,
    step: (...args) => {
      const r = method.step(...args)
      const penalty = r.penalty ?? 0
      return { ...r, penalty, objective: r.loss + penalty }
    }
  }
}
