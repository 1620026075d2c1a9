import * as tf from "@tensorflow/tfjs-core"
import { type ForwardOutput, type LossTerm, type Params, constantOf, logitTerm } from "@samlab/core-tensor"
import { MissingHeadWeightError, MissingLabelsError } from "./errors.js"
import { selectFeatures } from "./features.js"
import { frobenius, rowNorms, rowSquaredNorms } from "./norms.js"
import { type JacobianPenaltyOptions, type ResolvedPenaltyOptions, resolvePenaltyOptions } from "./options.js"

/** Per-call options: the settings, plus the labels that `featureWeighting: "logit-term"` needs. */
export interface JacobianPenaltyCallOptions extends JacobianPenaltyOptions {
  readonly labels?: tf.Tensor1D
}

/**
 * `mean_i c_i ||features_i||^p`, c_i = 1 or the frozen ||u_i|| (a constant: computed off the
 * gradient tape, so an exactly-zero u gives no 0/0 in the backward pass).
 */
const featureTerm = (output: ForwardOutput, o: ResolvedPenaltyOptions, labels: tf.Tensor1D | undefined, where: string): tf.Scalar => {
  const features = selectFeatures(output, o.featureLayer, where)
  return tf.tidy(() => {
    const perExample = o.norm === "squared" ? rowSquaredNorms(features) : rowNorms(features)
    if (o.featureWeighting === "uniform") return tf.mean(perExample) as tf.Scalar
    if (labels === undefined) throw new MissingLabelsError(where)
    const weights = constantOf((logits) => tf.sqrt(tf.sum(tf.square(logitTerm(logits as tf.Tensor2D, labels)), 1)), output.logits)
    return tf.mean(tf.mul(weights, perExample)) as tf.Scalar
  })
}

const headTerm = (params: Params, o: ResolvedPenaltyOptions, where: string): tf.Scalar => {
  const head = params[o.headWeight]
  if (head === undefined) throw new MissingHeadWeightError(where, o.headWeight, Object.keys(params))
  return frobenius(head, o.norm === "squared")
}

/**
 * The penalty with already-checked options (what `jacobianRegularized` calls every step).
 * A term whose lambda is 0 is not computed, so it needs neither features nor a head weight.
 */
export const resolvedJacobianPenalty = (
  output: ForwardOutput,
  params: Params,
  o: ResolvedPenaltyOptions,
  labels: tf.Tensor1D | undefined,
  where: string
): tf.Scalar =>
  tf.tidy(() => {
    const terms: tf.Scalar[] = []
    if (o.lambdaFeatures > 0) terms.push(tf.mul(featureTerm(output, o, labels, where), o.lambdaFeatures))
    if (o.lambdaHead > 0) terms.push(tf.mul(headTerm(params, o, where), o.lambdaHead))
    return (terms.length === 0 ? tf.scalar(0) : tf.addN(terms)) as tf.Scalar
  })

/**
 * The Jacobian regularizer as a loss term for a custom loop:
 * `lambdaFeatures * mean_i c_i ||features(x_i)||^p + lambdaHead * ||W_head||_F^p`
 * (see `JacobianPenaltyOptions`). `output` is the forward pass the loss is taken from (its
 * features, so no second pass), `params` the ones being differentiated. Differentiable;
 * returns a new scalar owned by the caller. Add it to the loss inside the gradient:
 * `valueAndGradParams((p) => { const out = forward(p, x); return tf.add(meanCrossEntropy(out.logits, y), jacobianPenalty(out, p, options)) }, params)`.
 */
export const jacobianPenalty = (output: ForwardOutput, params: Params, options: JacobianPenaltyCallOptions): tf.Scalar =>
  resolvedJacobianPenalty(output, params, resolvePenaltyOptions(options, "jacobianPenalty"), options.labels, "jacobianPenalty")

/**
 * The penalty as a core-tensor `LossTerm`, its options checked once (throws
 * `OptimizerConfigError` here, not at the first step). It composes with any gradient
 * estimator: `withBase(withLossTerm(samEstimator({ rho }), jacobianLossTerm(options)), base)`
 * is SAM on `CE + penalty`.
 */
export const jacobianLossTerm = (options: JacobianPenaltyOptions): LossTerm => resolvedLossTerm(resolvePenaltyOptions(options, "jacobianLossTerm"))

/** The loss term of already-checked options. */
export const resolvedLossTerm = (resolved: ResolvedPenaltyOptions): LossTerm => ({
  name: "jacobianPenalty",
  value: (output, params, labels, where) => resolvedJacobianPenalty(output, params, resolved, labels, where)
})
