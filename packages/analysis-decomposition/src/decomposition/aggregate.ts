import { AnalysisInputError } from "../errors.js"
import { type DistributionSummary, selectByMask, summarize } from "../stats/summary.js"
import type { ExampleDecomposition } from "./types.js"

export const decompositionQuantities = [
  "loss",
  "perturbedLoss",
  "logitTermNorm",
  "perturbedLogitTermNorm",
  "gradNorm",
  "samGradNorm",
  "logitOnlyGradNorm",
  "jacobianOnlyGradNorm",
  "samFactor",
  "logitFactor",
  "jacobianFactor"
] as const
export type DecompositionQuantity = (typeof decompositionQuantities)[number]

/** One group of examples (clean, noisy or all): its size, accuracy at w and each quantity's distribution. */
export interface GroupDecomposition {
  readonly count: number
  /** Fraction whose arg-max at w is the label trained on (NaN for an empty group). */
  readonly accuracy: number
  readonly quantities: Readonly<Record<DecompositionQuantity, DistributionSummary>>
}

export interface DecompositionSummary {
  readonly clean: GroupDecomposition
  readonly noisy: GroupDecomposition
  readonly all: GroupDecomposition
  /**
   * Fraction of the summed per-example gradient norm that clean examples carry: `sgd` with
   * ||J(w)^T u(w)||, `sam` with ||J(w+eps)^T u(w+eps)||, `logitOnly`, `jacobianOnly` likewise.
   * SAM up-weights clean examples when `sam` > `sgd`.
   */
  readonly cleanGradientShare: { readonly sgd: number; readonly sam: number; readonly logitOnly: number; readonly jacobianOnly: number }
  /** Mean factor over clean examples divided by the mean over noisy ones (> 1: clean examples up-weighted more). */
  readonly cleanOverNoisy: { readonly sam: number; readonly logit: number; readonly jacobian: number }
}

const group = (d: ExampleDecomposition, mask: ArrayLike<number> | undefined, want: 0 | 1): GroupDecomposition => {
  const pick = (v: ArrayLike<number>) => (mask ? selectByMask(v, mask, want) : Float64Array.from(v))
  const correct = pick(d.correct)
  const quantities = Object.fromEntries(decompositionQuantities.map((q) => [q, summarize(pick(d[q]))])) as Record<DecompositionQuantity, DistributionSummary>
  return { count: correct.length, accuracy: correct.length === 0 ? Number.NaN : correct.reduce((a, b) => a + b, 0) / correct.length, quantities }
}

const share = (v: ArrayLike<number>, isNoisy: ArrayLike<number>): number => {
  let clean = 0
  let all = 0
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) continue
    all += v[i]!
    if (!isNoisy[i]) clean += v[i]!
  }
  return all > 0 ? clean / all : Number.NaN
}

/**
 * Clean vs noisy aggregates of a decomposition: the paper's measurement of how SAM reweights
 * the per-example gradients, and through which term. `isNoisy[i]` is 1 where example i's
 * label (the one decomposed against) is wrong.
 */
export const summarizeDecomposition = (d: ExampleDecomposition, isNoisy: ArrayLike<number>): DecompositionSummary => {
  if (isNoisy.length !== d.n) throw new AnalysisInputError("summarizeDecomposition", "isNoisy", `has ${isNoisy.length} entries for ${d.n} examples`)
  const clean = group(d, isNoisy, 0)
  const noisy = group(d, isNoisy, 1)
  const ratio = (q: DecompositionQuantity) => clean.quantities[q].mean / noisy.quantities[q].mean
  return {
    clean,
    noisy,
    all: group(d, undefined, 0),
    cleanGradientShare: {
      sgd: share(d.gradNorm, isNoisy),
      sam: share(d.samGradNorm, isNoisy),
      logitOnly: share(d.logitOnlyGradNorm, isNoisy),
      jacobianOnly: share(d.jacobianOnlyGradNorm, isNoisy)
    },
    cleanOverNoisy: { sam: ratio("samFactor"), logit: ratio("logitFactor"), jacobian: ratio("jacobianFactor") }
  }
}
