import { OptimizerConfigError } from "@samlab/core-tensor"
import { type FieldFailure, nonEmptyString, nonNegativeFinite, oneOf } from "@samlab/core-tensor/internal"

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

/** Checks every field (typed `OptimizerConfigError` naming the first bad one) and fills the defaults. */
export const resolvePenaltyOptions = (options: JacobianPenaltyOptions, where: string): ResolvedPenaltyOptions => {
  const fail: FieldFailure = (field, problem) => {
    throw new OptimizerConfigError(where, field, problem)
  }
  if (typeof options !== "object" || options === null) return fail("options", `must be an object, got ${JSON.stringify(options)}`)
  return {
    lambdaFeatures: nonNegativeFinite(options.lambdaFeatures, "lambdaFeatures", fail),
    lambdaHead: nonNegativeFinite(options.lambdaHead, "lambdaHead", fail),
    headWeight: options.headWeight === undefined ? defaultHeadWeight : nonEmptyString(options.headWeight, "headWeight", fail),
    featureLayer: options.featureLayer === undefined ? undefined : nonEmptyString(options.featureLayer, "featureLayer", fail),
    norm: options.norm === undefined ? "squared" : oneOf(options.norm, penaltyNorms, "norm", fail),
    featureWeighting: options.featureWeighting === undefined ? "uniform" : oneOf(options.featureWeighting, featureWeightings, "featureWeighting", fail)
  }
}
