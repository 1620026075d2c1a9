import { AnalysisInputError } from "../errors.js"
import { marginHost } from "../stats/logits.js"
import { meanOf, quantileSorted } from "../stats/summary.js"

/** log sigma(t) = -log(1 + e^-t), stable for any t. */
const logSigmoid = (t: number): number => (t >= 0 ? -Math.log1p(Math.exp(-t)) : t - Math.log1p(Math.exp(t)))

/**
 * The linear model's 1-SAM reweighting factor (the paper's Section 3): for logistic regression
 * with margin m = t<w, x>, 1-SAM's per-example gradient is SGD's times
 * sigma(-m + rho ||x||) / sigma(-m), which rises with m from 1 towards exp(rho ||x||), so
 * low-loss (mostly clean) examples are up-weighted most. Computed in log space.
 */
export const linearReweightingFactor = (margin: number, xNorm: number, rho: number): number => Math.exp(logSigmoid(-margin + rho * xNorm) - logSigmoid(-margin))

export type ReweightingFactor = (margin: number, xNorm: number, rho: number) => number

export interface GroupReweighting {
  readonly count: number
  readonly mean: number
  readonly median: number
}

export interface ReweightingMetrics {
  readonly rho: number
  readonly clean: GroupReweighting
  readonly noisy: GroupReweighting
}

/**
 * The closed-form factor evaluated on real examples, treating the head as the linear model:
 * x = the example's features (the head's input; the input itself for `linear`), m = the logit
 * margin z_y - max_{c != y} z_c against the label trained on. For a deep network this is the
 * linear-model formula applied to its last layer, an indicator rather than an exact statement
 * (pass `factor` to evaluate another form). Clean vs noisy summaries.
 */
export const reweightingOnData = (
  logits: Float32Array,
  featureSq: Float64Array,
  labels: Int32Array,
  isNoisy: Uint8Array,
  numClasses: number,
  rho: number,
  factor: ReweightingFactor = linearReweightingFactor
): ReweightingMetrics => {
  if (!(rho >= 0) || !Number.isFinite(rho)) throw new AnalysisInputError("reweighting", "rho", `must be a finite number >= 0, got ${rho}`)
  const margins = marginHost(logits, labels, numClasses)
  const clean: number[] = []
  const noisy: number[] = []
  for (let i = 0; i < labels.length; i++) {
    const f = factor(margins[i]!, Math.sqrt(featureSq[i]!), rho)
    ;(isNoisy[i] ? noisy : clean).push(f)
  }
  const group = (v: number[]): GroupReweighting => ({ count: v.length, mean: meanOf(v), median: quantileSorted(Float64Array.from(v).sort(), 0.5) })
  return { rho, clean: group(clean), noisy: group(noisy) }
}
