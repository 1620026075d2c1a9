import { OptimizerConfigError } from "./errors.js"

/** A learning-rate schedule: the rate for the update with 0-based index `step`. */
export type Schedule = (step: number) => number

/** A fixed learning rate or a schedule. */
export type LearningRate = number | Schedule

const finiteNonNegative = (where: string, field: string, v: number): number => {
  if (!Number.isFinite(v) || v < 0) throw new OptimizerConfigError(where, field, `must be a finite number >= 0, got ${v}`)
  return v
}

export const constantSchedule = (value: number): Schedule => {
  finiteNonNegative("constantSchedule", "value", value)
  return () => value
}

/**
 * Step decay: `initial * gamma^k` where k counts the milestones already passed (PyTorch
 * MultiStepLR), or, with `stepSize`, every `stepSize` updates (StepLR).
 */
export const stepSchedule = (options: { initial: number; gamma: number; stepSize?: number; milestones?: readonly number[] }): Schedule => {
  const { initial, gamma, stepSize, milestones } = options
  finiteNonNegative("stepSchedule", "initial", initial)
  finiteNonNegative("stepSchedule", "gamma", gamma)
  if ((stepSize === undefined) === (milestones === undefined))
    throw new OptimizerConfigError("stepSchedule", "stepSize/milestones", "exactly one of the two must be given")
  if (stepSize !== undefined) {
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new OptimizerConfigError("stepSchedule", "stepSize", `must be a positive integer, got ${stepSize}`)
    return (step) => initial * Math.pow(gamma, Math.floor(step / stepSize))
  }
  const sorted = [...milestones!].sort((a, b) => a - b)
  return (step) => initial * Math.pow(gamma, sorted.filter((m) => step >= m).length)
}

/**
 * Cosine decay from `initial` to `final` over `totalSteps` updates (then flat at `final`),
 * after an optional linear warm-up from 0 over `warmupSteps`.
 */
export const cosineSchedule = (options: { initial: number; totalSteps: number; final?: number; warmupSteps?: number }): Schedule => {
  const { initial, totalSteps, final = 0, warmupSteps = 0 } = options
  finiteNonNegative("cosineSchedule", "initial", initial)
  finiteNonNegative("cosineSchedule", "final", final)
  if (!Number.isInteger(totalSteps) || totalSteps < 1)
    throw new OptimizerConfigError("cosineSchedule", "totalSteps", `must be a positive integer, got ${totalSteps}`)
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0 || warmupSteps >= totalSteps) {
    throw new OptimizerConfigError("cosineSchedule", "warmupSteps", `must be an integer in [0, totalSteps), got ${warmupSteps}`)
  }
  return (step) => {
    if (step < warmupSteps) return (initial * (step + 1)) / warmupSteps
    const t = Math.min(1, (step - warmupSteps) / (totalSteps - warmupSteps))
    return final + 0.5 * (initial - final) * (1 + Math.cos(Math.PI * t))
  }
}

/** The schedule form of a learning rate (numbers are validated once, here). */
export const toSchedule = (lr: LearningRate, where: string): Schedule => (typeof lr === "number" ? (finiteNonNegative(where, "lr", lr), () => lr) : lr)

/** The rate for one update, checked so a bad schedule fails loudly rather than training on NaN. */
export const rateAt = (schedule: Schedule, step: number, where: string): number => {
  const v = schedule(step)
  if (!Number.isFinite(v) || v < 0) throw new OptimizerConfigError(where, "lr", `schedule gave ${v} at update ${step}`)
  return v
}
