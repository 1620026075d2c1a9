import { Rng } from "@samlab/core-tensor"
import { TheoryConfigError, requireFinite, requireInt } from "../errors.js"

/** The paper's Section 3 data: labels t = +-1, x = t mu + sigma N(0, I_d), a fraction of training labels flipped. */
export interface MixtureOptions {
  /** Training examples. */
  readonly n: number
  /** Clean test examples. */
  readonly nTest: number
  readonly d: number
  /** ||mu||; mu = muNorm e_1 (the noise is isotropic, so the direction is immaterial). */
  readonly muNorm: number
  readonly sigma: number
  /** Exactly round(noiseRate n) training labels are flipped, chosen uniformly. */
  readonly noiseRate: number
  readonly seed: number
}

/** A labelled split on the host: `x` row-major [n, d], labels +-1 as float32. */
export interface BinarySplit {
  readonly n: number
  readonly d: number
  readonly x: Float32Array
  /** Observed labels (flipped where `isNoisy`). */
  readonly labels: Float32Array
  readonly cleanLabels: Float32Array
  readonly isNoisy: Uint8Array
}

export interface NoisyMixture {
  readonly train: BinarySplit
  /** Clean: labels equal cleanLabels. */
  readonly test: BinarySplit
  readonly mu: Float32Array
  /** Training labels flipped (round(noiseRate n)). */
  readonly flipped: number
  readonly options: MixtureOptions
}

const split = (rng: Rng, n: number, d: number, mu: Float32Array, sigma: number, flips: Int32Array | undefined): BinarySplit => {
  const labelRng = rng.fork("labels")
  const featureRng = rng.fork("features")
  const cleanLabels = new Float32Array(n)
  for (let i = 0; i < n; i++) cleanLabels[i] = labelRng.bernoulli(0.5) ? 1 : -1
  const x = featureRng.normalArray(n * d, 0, sigma)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j]! += cleanLabels[i]! * mu[j]!
  const labels = Float32Array.from(cleanLabels)
  const isNoisy = new Uint8Array(n)
  for (const i of flips ?? []) {
    labels[i] = -labels[i]!
    isNoisy[i] = 1
  }
  return { n, d, x, labels, cleanLabels, isNoisy }
}

/**
 * Draws the noisy training set and a clean test set from `Rng(seed)` (streams forked by
 * purpose, so e.g. the test set does not change with n). Same options, same arrays.
 */
export const makeNoisyMixture = (options: MixtureOptions): NoisyMixture => {
  const where = "makeNoisyMixture"
  const n = requireInt(where, "n", options.n, 1)
  const nTest = requireInt(where, "nTest", options.nTest, 1)
  const d = requireInt(where, "d", options.d, 1)
  requireFinite(where, "muNorm", options.muNorm, 0)
  requireFinite(where, "sigma", options.sigma, 0)
  const rate = requireFinite(where, "noiseRate", options.noiseRate, 0)
  if (rate > 1) throw new TheoryConfigError(where, "noiseRate", `must be in [0, 1], got ${rate}`)
  requireInt(where, "seed", options.seed, Number.MIN_SAFE_INTEGER)
  const rng = new Rng(options.seed)
  const mu = new Float32Array(d)
  mu[0] = options.muNorm
  const flipped = Math.round(rate * n)
  const flips = rng.fork("noise").permutation(n).subarray(0, flipped)
  return {
    train: split(rng.fork("train"), n, d, mu, options.sigma, flips),
    test: split(rng.fork("test"), nTest, d, mu, options.sigma, undefined),
    mu,
    flipped,
    options
  }
}
