import { TransitionMatrixError } from "../errors.js"

/** Row-sum tolerance when validating a transition matrix. */
const ROW_SUM_TOLERANCE = 1e-6

export type TransitionMatrix = ReadonlyArray<ArrayLike<number>>

/**
 * Checks that `matrix` is K x K with finite, non-negative entries and rows summing to 1
 * (within 1e-6). Rows are clean classes, columns noisy labels. Throws `TransitionMatrixError`
 * naming the first bad row.
 */
export const validateTransitionMatrix = (matrix: TransitionMatrix, numClasses: number): void => {
  if (!Array.isArray(matrix) || matrix.length !== numClasses) {
    throw new TransitionMatrixError(-1, `expected ${numClasses} rows (one per clean class), got ${Array.isArray(matrix) ? matrix.length : typeof matrix}`)
  }
  matrix.forEach((row, c) => {
    if (!row || row.length !== numClasses) throw new TransitionMatrixError(c, `expected ${numClasses} entries, got ${row ? row.length : row}`)
    let sum = 0
    for (let j = 0; j < numClasses; j++) {
      const v = row[j]!
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
        throw new TransitionMatrixError(c, `entry ${j} is ${v}; entries must be finite and non-negative`)
      sum += v
    }
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) throw new TransitionMatrixError(c, `sums to ${sum}, not 1`)
  })
}

/** `symmetric` noise: keep with probability 1 - rate, else move to one of the other K - 1 classes uniformly. */
export const symmetricMatrix = (numClasses: number, rate: number): number[][] =>
  Array.from({ length: numClasses }, (_, c) => Array.from({ length: numClasses }, (_, j) => (j === c ? 1 - rate : rate / (numClasses - 1))))

/** `symmetric-all` noise: with probability rate, relabel uniformly over all K classes (possibly the same one). */
export const symmetricAllMatrix = (numClasses: number, rate: number): number[][] =>
  Array.from({ length: numClasses }, (_, c) => Array.from({ length: numClasses }, (_, j) => (j === c ? 1 - rate + rate / numClasses : rate / numClasses)))

/** Class-conditional flips: class c moves to `targets[c]` with probability rate (no move when targets[c] = c). */
export const pairFlipMatrix = (targets: ArrayLike<number>, rate: number): number[][] =>
  Array.from({ length: targets.length }, (_, c) => {
    const row = new Array<number>(targets.length).fill(0)
    const t = targets[c]!
    row[c] = t === c ? 1 : 1 - rate
    if (t !== c) row[t] = rate
    return row
  })

/**
 * The empirical transition matrix: entry [c][j] is the fraction of examples of clean class c
 * whose noisy label is j. Rows are row-stochastic; a class with no examples gets the identity row.
 */
export const empiricalTransition = (clean: ArrayLike<number>, noisy: ArrayLike<number>, numClasses: number): number[][] => {
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0))
  for (let i = 0; i < clean.length; i++) counts[clean[i]!]![noisy[i]!]!++
  return counts.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0)
    return total === 0 ? row.map((_, j) => (j === c ? 1 : 0)) : row.map((v) => v / total)
  })
}
