import type { BinarySplit } from "../data/mixture.js"

/** Scores of one split evaluated against its labels. Empty groups give NaN. */
export interface BinaryMetrics {
  /** Mean logistic loss -log sigma(t s) against the observed labels. */
  readonly loss: number
  /** Accuracy against the observed labels (for a clean test set: the test accuracy). */
  readonly acc: number
  /** Accuracy on the examples whose label was not flipped. */
  readonly cleanAcc: number
  /** Fraction of flipped examples predicted as their (wrong) observed label: memorisation. */
  readonly noisyFit: number
}

const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)))

/** 1 if sign(s) = t, 0 if opposite; a score of exactly 0 counts 1/2 (a fair coin), so w = 0 scores 50%. */
const hit = (s: number, t: number): number => (s === 0 ? 0.5 : s * t > 0 ? 1 : 0)

/** Loss and accuracies of real-valued scores `f(x_i)` on a split (float64 sums on the host). */
export const binaryMetrics = (scores: ArrayLike<number>, split: BinarySplit): BinaryMetrics => {
  let loss = 0
  let hits = 0
  let clean = 0
  let cleanHits = 0
  let noisy = 0
  let noisyHits = 0
  for (let i = 0; i < split.n; i++) {
    const s = scores[i]!
    const t = split.labels[i]!
    const h = hit(s, t)
    loss += softplus(-t * s)
    hits += h
    if (split.isNoisy[i]) {
      noisy++
      noisyHits += h
    } else {
      clean++
      cleanHits += h
    }
  }
  return { loss: loss / split.n, acc: hits / split.n, cleanAcc: clean ? cleanHits / clean : Number.NaN, noisyFit: noisy ? noisyHits / noisy : Number.NaN }
}
