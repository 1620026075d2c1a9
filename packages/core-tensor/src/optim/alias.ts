import { addDecayedWeights } from "./add-decayed-weights.js"
import { chain } from "./chain.js"
import { OptimizerConfigError } from "./errors.js"
import { fusedSgdApply } from "./fused-sgd.js"
import { scaleByAdam, type ScaleByAdamOptions } from "./scale-by-adam.js"
import { scaleByLearningRate } from "./scale-by-learning-rate.js"
import { type LearningRate, toSchedule } from "./schedule.js"
import { trace } from "./trace.js"
import type { GradientTransformation } from "./transform.js"

// The optimizers by their usual names, each a chain of primitives with PyTorch's semantics.
// A setting that would be a no-op (momentum 0, weight decay 0) leaves its link out, so the
// chain does no work for it.

const checkWeightDecay = (where: string, weightDecay: number): number => {
  if (!(weightDecay >= 0 && Number.isFinite(weightDecay)))
    throw new OptimizerConfigError(where, "weightDecay", `must be a finite number >= 0, got ${weightDecay}`)
  return weightDecay
}

const named = <S>(name: string, t: GradientTransformation<S>): GradientTransformation<S> => ({ ...t, name })

export interface SgdOptions {
  readonly lr: LearningRate
  readonly momentum?: number
  readonly weightDecay?: number
  readonly nesterov?: boolean
}

/**
 * SGD as `torch.optim.SGD` (dampening 0): `d = g + weightDecay * w`; `buf = momentum * buf + d`
 * (first value `d`); `d = nesterov ? d + momentum * buf : buf`; update `-lr * d`.
 * `chain(addDecayedWeights, trace, scaleByLearningRate)`; where the backend has the
 * `sgdStepKernelName` kernel, `updateAndApply` runs the chain and the apply as one pass per
 * parameter (its `fusedApply`), bit for bit the same.
 */
export const sgd = (options: SgdOptions): GradientTransformation<readonly unknown[]> => {
  const { momentum = 0, nesterov = false } = options
  const weightDecay = checkWeightDecay("sgd", options.weightDecay ?? 0)
  if (!(momentum >= 0 && momentum < 1)) throw new OptimizerConfigError("sgd", "momentum", `must be in [0, 1), got ${momentum}`)
  if (nesterov && momentum === 0) throw new OptimizerConfigError("sgd", "nesterov", "needs momentum > 0")
  const schedule = toSchedule(options.lr, "sgd")
  const steps = chain(
    ...(weightDecay > 0 ? [addDecayedWeights(weightDecay)] : []),
    ...(momentum > 0 ? [trace({ decay: momentum, nesterov })] : []),
    scaleByLearningRate(schedule)
  )
  return named("sgd", { ...steps, fusedApply: fusedSgdApply({ schedule, weightDecay, momentum, nesterov }) })
}

export interface AdamOptions extends ScaleByAdamOptions {
  readonly lr: LearningRate
  /** Adam: L2 added to the gradient; AdamW: decoupled decay of the weights. */
  readonly weightDecay?: number
}

/**
 * Adam as `torch.optim.Adam`: weight decay, if any, is L2 added to the gradient before the moments.
 * `chain(addDecayedWeights, scaleByAdam, scaleByLearningRate)`.
 */
export const adam = (options: AdamOptions): GradientTransformation<readonly unknown[]> => {
  const weightDecay = checkWeightDecay("adam", options.weightDecay ?? 0)
  return named(
    "adam",
    chain(...(weightDecay > 0 ? [addDecayedWeights(weightDecay)] : []), scaleByAdam(options), scaleByLearningRate(toSchedule(options.lr, "adam")))
  )
}

/**
 * AdamW as `torch.optim.AdamW`: decoupled weight decay (default 0.01), `w -= lr * (adam + weightDecay * w)`.
 * `chain(scaleByAdam, addDecayedWeights, scaleByLearningRate)`.
 */
export const adamw = (options: AdamOptions): GradientTransformation<readonly unknown[]> => {
  const weightDecay = checkWeightDecay("adamw", options.weightDecay ?? 0.01)
  return named(
    "adamw",
    chain(scaleByAdam(options), ...(weightDecay > 0 ? [addDecayedWeights(weightDecay)] : []), scaleByLearningRate(toSchedule(options.lr, "adamw")))
  )
}
