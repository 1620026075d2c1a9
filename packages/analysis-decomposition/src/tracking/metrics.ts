import { correctHost, crossEntropyHost } from "../stats/logits.js"
import type { CheckedLabels } from "./data.js"
import type { SplitOutputs } from "./evaluate.js"

/** Mean of `values` over positions where `keep` holds (NaN when none does). */
export const maskedMean = (values: ArrayLike<number>, keep: (i: number) => boolean): number => {
  let s = 0
  let c = 0
  for (let i = 0; i < values.length; i++) {
    if (!keep(i)) continue
    s += values[i]!
    c++
  }
  return c === 0 ? Number.NaN : s / c
}

export interface ScoredSplit {
  /** Correct / loss against the labels trained on. */
  readonly correct: Uint8Array
  readonly loss: Float64Array
  /** Correct / loss against the true labels. */
  readonly correctTrue: Uint8Array
  readonly lossTrue: Float64Array
}

export const scoreSplit = (out: SplitOutputs, labels: CheckedLabels): ScoredSplit => ({
  correct: correctHost(out.logits, labels.labels, out.numClasses),
  loss: crossEntropyHost(out.logits, labels.labels, out.numClasses),
  correctTrue: correctHost(out.logits, labels.clean, out.numClasses),
  lossTrue: crossEntropyHost(out.logits, labels.clean, out.numClasses)
})
