import { AnalysisInputError } from "../errors.js"
import { marginHost } from "../stats/logits.js"
import { meanOf, quantileSorted } from "../stats/summary.js"

/**
 * A per-example reweighting factor from the logit margin m, the example's feature norm ||x||
 * and rho: the linear model's closed form is `oneSamGradientFactor` in `@samlab/theory`
 * (1-SAM's gradient over SGD's, sigma(-m + rho ||x||) / sigma(-m)).
 */
export type ReweightingFactor = (margin: number, rho: number, xNorm: number) => number

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
 * A closed-form factor evaluated on real examples, treating the head as the linear model:
 * x = the example's features (the head's input; the input itself for `linear`), m = the logit
 * margin z_y - max_{c != y} z_c against the label trained on. For a deep network this is the
 * linear-model formula applied to its last layer, an indicator rather than an exact statement.
 * A non-finite margin (a diverged model) gives NaN. Clean vs noisy summaries.
 */
export const reweightingOnData = (
  logits: Float32Array,
  featureSq: Float64Array,
  labels: Int32Array,
  isNoisy: Uint8Array,
  numClasses: number,
  rho: number,
  factor: ReweightingFactor
): ReweightingMetrics => {
  if (!(rho >= 0) || !Number.isFinite(rho)) throw new AnalysisInputError("reweighting", "rho", `must be a finite number >= 0, got ${rho}`)
  const margins = marginHost(logits, labels, numClasses)
  const clean: number[] = []
  const noisy: number[] = []
  for (let i = 0; i < labels.length; i++) {
    const margin = margins[i]!
    const f = Number.isFinite(margin) ? factor(margin, rho, Math.sqrt(featureSq[i]!)) : Number.NaN
    ;(isNoisy[i] ? noisy : clean).push(f)
  }
  const group = (v: number[]): GroupReweighting => ({
    count: v.length,
    mean: meanOf(v) ?? Number.NaN,
    median: quantileSorted(Float64Array.from(v).sort(), 0.5)
  })
  return { rho, clean: group(clean), noisy: group(noisy) }
}
