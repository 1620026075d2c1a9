import { OptimizerConfigError } from "@samlab/core-tensor"

/** How each norm enters the penalty. */
export const penaltyNorms = ["squared", "unsquared"] as const
export type PenaltyNorm = (typeof penaltyNorms)[number]

/** How the examples' feature terms are averaged. */
export const featureWeightings = ["uniform", "logit-term"] as const
export type FeatureWeighting = (typeof featureWeightings)[number]

/**
 * The Jacobian regularizer's settings:
 * `lambdaFeatures * mean_i c_i ||features(x_i)||^p + lambdaHead * ||W_head||_F^p`,
 * p = 2 (`norm: "squared"`, the default) or 1 (`"unsquared"`), c_i = 1 (`"uniform"`) or the
 * frozen ||u_i|| (`"logit-term"`).
 */
export interface JacobianPenaltyOptions {
  readonly lambdaFeatures: number
  readonly lambdaHead: number
  /** Params key of the head weight matrix (default "head/kernel", every core-tensor model's; pass `model.headWeight`). */
  readonly headWeight?: string
  /** Layer whose output counts as the features: `ForwardOutput.activations[featureLayer]`; default the penultimate layer, `ForwardOutput.features`. */
  readonly featureLayer?: string
  /** Default "squared", as in the paper's regularizer. */
  readonly norm?: PenaltyNorm
  /**
   * Default "uniform". "logit-term" weights example i's feature term by ||u_i||, u_i =
   * softmax(f(x_i)) - onehot(y_i) treated as a constant (stop-gradient): the shape of J-SAM's
   * implicit per-example coefficient (see the README), which shrinks the penalty on examples
   * the model already fits.
   */
  readonly featureWeighting?: FeatureWeighting
}

export interface ResolvedPenaltyOptions {
  readonly lambdaFeatures: number
  readonly lambdaHead: number
  readonly headWeight: string
  readonly featureLayer: string | undefined
  readonly norm: PenaltyNorm
  readonly featureWeighting: FeatureWeighting
}

export const defaultHeadWeight = "head/kernel"

const nonNegative = (where: string, field: string, value: unknown): number => {
  if (typeof value !== "number" || !(value >= 0 && Number.isFinite(value))) {
    throw new OptimizerConfigError(where, field, `must be a finite number >= 0, got ${String(value)}`)
  }
  return value
}

const oneOf = <T extends string>(where: string, field: string, value: unknown, allowed: readonly T[], fallback: T): T => {
  if (value === undefined) return fallback
  if (!allowed.includes(value as T)) throw new OptimizerConfigError(where, field, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(value)}`)
  return value as T
}

const nonEmptyString = (where: string, field: string, value: unknown): string | undefined => {
  if (value === undefined) return undefined
  if (typeof value !== "string" || value.length === 0) throw new OptimizerConfigError(where, field, `must be a non-empty string, got ${JSON.stringify(value)}`)
  return value
}

/** Checks every field (typed `OptimizerConfigError` naming the first bad one) and fills the defaults. */
export const resolvePenaltyOptions = (options: JacobianPenaltyOptions, where: string): ResolvedPenaltyOptions => {
  if (typeof options !== "object" || options === null) throw new OptimizerConfigError(where, "options", `must be an object, got ${JSON.stringify(options)}`)
  return {
    lambdaFeatures: nonNegative(where, "lambdaFeatures", options.lambdaFeatures),
    lambdaHead: nonNegative(where, "lambdaHead", options.lambdaHead),
    headWeight: nonEmptyString(where, "headWeight", options.headWeight) ?? defaultHeadWeight,
    featureLayer: nonEmptyString(where, "featureLayer", options.featureLayer),
    norm: oneOf(where, "norm", options.norm, penaltyNorms, "squared"),
    featureWeighting: oneOf(where, "featureWeighting", options.featureWeighting, featureWeightings, "uniform")
  }
}
