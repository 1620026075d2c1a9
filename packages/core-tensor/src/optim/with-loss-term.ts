import { type GradientEstimator, type LossTerm, sumOfTerms } from "./estimator.js"

/**
 * `estimator` descending `CE + term` instead of `CE`: e.g. `withLossTerm(sam, jacobianPenaltyTerm(...))`
 * is SAM on the regularized objective. Terms nest: an outer term is summed with an inner one.
 */
export const withLossTerm = (estimator: GradientEstimator, term: LossTerm): GradientEstimator => ({
  name: `${estimator.name} + ${term.name}`,
  estimate: (params, batch, forward, where, outer) => estimator.estimate(params, batch, forward, where, outer ? sumOfTerms(term, outer) : term)
})
