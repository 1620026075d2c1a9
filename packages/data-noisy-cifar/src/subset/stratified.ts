import { Rng } from "@samlab/core-tensor"
import { classCounts } from "../dataset.js"
import { InvalidOptionError, SubsetError } from "../errors.js"

/** Either `perClass` examples of every class, or `total` examples spread as evenly as possible over classes. */
export type SubsetSize = { readonly perClass: number } | { readonly total: number }

/**
 * Seeded stratified sample of example indices (ascending). With `total`, every class gets
 * floor(total / K) and the remainder goes one each to classes in a seeded order. Throws
 * `SubsetError` when a class has too few examples.
 */
export const stratifiedIndices = (labels: ArrayLike<number>, numClasses: number, size: SubsetSize, rng: Rng | number): Int32Array => {
  const r = typeof rng === "number" ? new Rng(rng) : rng
  const want = perClassTargets(numClasses, size, r.fork("subset/spread"))
  const counts = classCounts(labels, numClasses)
  want.forEach((w, c) => {
    if (w > counts[c]!) throw new SubsetError(c, w, counts[c]!)
  })
  const members = counts.map((nc) => new Int32Array(nc))
  const fill = new Array<number>(numClasses).fill(0)
  for (let i = 0; i < labels.length; i++) members[labels[i]!]![fill[labels[i]!]!++] = i
  const pick = r.fork("subset/pick")
  const out = new Int32Array(want.reduce((a, b) => a + b, 0))
  let o = 0
  members.forEach((idx, c) => {
    for (let t = 0; t < want[c]!; t++) {
      const j = t + pick.int(idx.length - t)
      const tmp = idx[t]!
      idx[t] = idx[j]!
      idx[j] = tmp
      out[o++] = idx[t]!
    }
  })
  return out.sort()
}

/** Seeded uniform sample of `size` of the indices 0..n-1 without replacement (ascending): the first `size` of a permutation. */
export const randomIndices = (n: number, size: number, rng: Rng | number): Int32Array => {
  if (!Number.isInteger(size) || size < 0 || size > n) throw new InvalidOptionError("size", size, `must be an integer in 0..${n}`)
  const r = typeof rng === "number" ? new Rng(rng) : rng
  return r.fork("subset/random").permutation(n).slice(0, size).sort()
}

/**
 * Splits examples into training and a held-out validation set stratified by the labels given,
 * which should be the observed (noisy) labels: the validation labels then carry the same noise,
 * so early stopping on validation accuracy never looks at clean or test labels.
 * `among` restricts both parts to those indices (e.g. a training subset).
 */
export const holdOutValidation = (
  labels: ArrayLike<number>,
  numClasses: number,
  size: SubsetSize,
  rng: Rng | number,
  among?: ArrayLike<number>
): { train: Int32Array; validation: Int32Array } => {
  const pool = among ? Int32Array.from(among) : Int32Array.from({ length: labels.length }, (_, i) => i)
  const poolLabels = Array.from(pool, (i) => labels[i]!)
  const r = typeof rng === "number" ? new Rng(rng) : rng
  const picked = stratifiedIndices(poolLabels, numClasses, size, r.fork("validation"))
  const inValidation = new Uint8Array(pool.length)
  for (const k of picked) inValidation[k] = 1
  const validation = Int32Array.from(picked, (k) => pool[k]!).sort()
  const train = pool.filter((_, k) => inValidation[k] === 0).sort()
  return { train, validation }
}

const perClassTargets = (numClasses: number, size: SubsetSize, spread: Rng): number[] => {
  if ("perClass" in size) {
    if (!Number.isInteger(size.perClass) || size.perClass < 0) throw new InvalidOptionError("perClass", size.perClass, "must be a non-negative integer")
    return new Array<number>(numClasses).fill(size.perClass)
  }
  if (!Number.isInteger(size.total) || size.total < 0) throw new InvalidOptionError("total", size.total, "must be a non-negative integer")
  const base = Math.floor(size.total / numClasses)
  const want = new Array<number>(numClasses).fill(base)
  const order = spread.permutation(numClasses)
  for (let k = 0; k < size.total - base * numClasses; k++) want[order[k]!]!++
  return want
}
