import { Rng } from "@samlab/core-tensor"
import { classCounts } from "../dataset.js"
import { InvalidOptionError } from "../errors.js"
import { type NoiseModel, type NoiseSpec, noiseModel } from "./model.js"
import { empiricalTransition } from "./transition.js"

/**
 * `exact`: exactly round(sum_c p_c n_c) examples are selected (round(rate * n) for symmetric
 * noise), allocated to classes in proportion to p_c n_c by largest remainder (ties broken by a
 * seeded class order), each class's share drawn uniformly without replacement.
 * `bernoulli`: each example is selected independently with its class's probability p_c.
 */
export type NoiseMode = "exact" | "bernoulli"

export interface LabelNoiseOptions {
  readonly numClasses: number
  readonly spec: NoiseSpec
  readonly mode?: NoiseMode
  /** A seed or a generator; the work uses its forks "noise/select", "noise/allocate", "noise/replace". */
  readonly rng: Rng | number
}

/** Noisy labels beside the clean ones, with what was realised. */
export interface NoisyLabels {
  readonly numClasses: number
  readonly mode: NoiseMode
  readonly spec: NoiseSpec
  readonly clean: Uint8Array
  readonly noisy: Uint8Array
  /** 1 where the noisy label differs from the clean one. */
  readonly isNoisy: Uint8Array
  /** Examples drawn for relabelling (for symmetric-all, some keep their label). */
  readonly selected: number
  /** Examples whose label changed. */
  readonly changed: number
  readonly nominalRate: number
  /** Expected fraction of changed labels under the model, given these class counts. */
  readonly expectedRate: number
  /** changed / n. */
  readonly realisedRate: number
  /** Empirical transition: rows clean class, columns noisy label, row-stochastic. */
  readonly transition: number[][]
  /** The model's transition matrix. */
  readonly expectedTransition: number[][]
}

/**
 * Corrupts `clean` labels. Deterministic in the seed: selection and replacement use separate
 * streams, and example i's replacement is drawn from its own fixed uniform, so an example that
 * is selected under two settings with the same seed gets the same noisy label in both.
 */
export const applyLabelNoise = (clean: ArrayLike<number>, options: LabelNoiseOptions): NoisyLabels => {
  const { numClasses, spec } = options
  const mode = options.mode ?? "exact"
  if (mode !== "exact" && mode !== "bernoulli") throw new InvalidOptionError("mode", mode, 'expected "exact" or "bernoulli"')
  if (numClasses > 256) throw new InvalidOptionError("numClasses", numClasses, "labels are stored as bytes: at most 256 classes")
  const model = noiseModel(spec, numClasses)
  const counts = classCounts(clean, numClasses)
  const n = clean.length
  const rng = typeof options.rng === "number" ? new Rng(options.rng) : options.rng
  const cleanLabels = Uint8Array.from(clean)

  const chosen = mode === "exact" ? selectExact(cleanLabels, counts, model, rng) : selectBernoulli(cleanLabels, model, rng)
  const replaceStream = rng.fork("noise/replace")
  const noisy = Uint8Array.from(cleanLabels)
  const isNoisy = new Uint8Array(n)
  let selected = 0
  let changed = 0
  for (let i = 0; i < n; i++) {
    const u = replaceStream.uniform()
    if (!chosen[i]) continue
    selected++
    const c = cleanLabels[i]!
    const y = sampleRow(model.replacement[c]!, u)
    noisy[i] = y
    if (y !== c) {
      isNoisy[i] = 1
      changed++
    }
  }
  const expectedChanged = counts.reduce((acc, nc, c) => acc + nc * (1 - model.transition[c]![c]!), 0)
  return {
    numClasses,
    mode,
    spec,
    clean: cleanLabels,
    noisy,
    isNoisy,
    selected,
    changed,
    nominalRate: model.nominalRate,
    expectedRate: n === 0 ? 0 : expectedChanged / n,
    realisedRate: n === 0 ? 0 : changed / n,
    transition: empiricalTransition(cleanLabels, noisy, numClasses),
    expectedTransition: model.transition.map((row) => [...row])
  }
}

/** Per-class counts to select: largest-remainder rounding of p_c n_c to round(sum_c p_c n_c). */
export const exactAllocation = (counts: readonly number[], selectProb: readonly number[], tieOrder: ArrayLike<number>): number[] => {
  const quotas = counts.map((nc, c) => nc * selectProb[c]!)
  // The epsilon keeps 0.29 * 100 = 28.999999999999996 from flooring to 28.
  const base = quotas.map((q, c) => Math.min(counts[c]!, Math.floor(q + 1e-9)))
  const total = Math.round(quotas.reduce((a, b) => a + b, 0) + 1e-9)
  let remaining = total - base.reduce((a, b) => a + b, 0)
  const rank = new Array<number>(counts.length)
  for (let k = 0; k < tieOrder.length; k++) rank[tieOrder[k]!] = k
  const byRemainder = counts
    .map((_, c) => c)
    .filter((c) => base[c]! < counts[c]!)
    .sort((a, b) => quotas[b]! - base[b]! - (quotas[a]! - base[a]!) || rank[a]! - rank[b]!)
  for (const c of byRemainder) {
    if (remaining <= 0) break
    base[c]!++
    remaining--
  }
  return base
}

const selectExact = (clean: Uint8Array, counts: number[], model: NoiseModel, rng: Rng): Uint8Array => {
  const k = exactAllocation(counts, model.selectProb, rng.fork("noise/allocate").permutation(model.numClasses))
  const members = counts.map((nc) => new Int32Array(nc))
  const fill = new Array<number>(model.numClasses).fill(0)
  for (let i = 0; i < clean.length; i++) members[clean[i]!]![fill[clean[i]!]!++] = i
  const chosen = new Uint8Array(clean.length)
  const select = rng.fork("noise/select")
  members.forEach((idx, c) => {
    // Partial Fisher-Yates: the first k[c] positions become a uniform sample without replacement.
    for (let t = 0; t < k[c]!; t++) {
      const j = t + select.int(idx.length - t)
      const tmp = idx[t]!
      idx[t] = idx[j]!
      idx[j] = tmp
      chosen[idx[t]!] = 1
    }
  })
  return chosen
}

const selectBernoulli = (clean: Uint8Array, model: NoiseModel, rng: Rng): Uint8Array => {
  const select = rng.fork("noise/select")
  const chosen = new Uint8Array(clean.length)
  for (let i = 0; i < clean.length; i++) chosen[i] = select.uniform() < model.selectProb[clean[i]!]! ? 1 : 0
  return chosen
}

/** Inverse-CDF draw from a probability row with one uniform; falls back to the last positive entry. */
const sampleRow = (row: readonly number[], u: number): number => {
  let acc = 0
  let last = 0
  for (let j = 0; j < row.length; j++) {
    if (row[j]! <= 0) continue
    acc += row[j]!
    last = j
    if (u < acc) return j
  }
  return last
}
