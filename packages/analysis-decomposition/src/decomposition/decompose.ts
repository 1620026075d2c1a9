import { type Model, type Params, assertSameStructure, disposeParams, scaledAdd } from "@samlab/core-tensor"
import { type FieldFailure, positiveInt } from "@samlab/core-tensor/internal"
import { perturbation } from "@samlab/optim-sam"
import { NORM_EPS } from "@samlab/optim-sam/internal"
import * as tf from "@tensorflow/tfjs-core"
import { AnalysisInputError } from "../errors.js"
import { correctHost, crossEntropyHost, rowNorms } from "../stats/logits.js"
import { chooseEngine } from "./choose-engine.js"
import { type PassResult, type PerExampleEngine, disposeFactors, sumLayers } from "./engine.js"
import { type PatchCache, disposePatchCache } from "./view/per-example.js"
import type { DecomposeOptions, ExampleDecomposition } from "./types.js"
import type { PerExamplePerturbation } from "./view/forward.js"

/** Host buffers the passes fill, example by example. */
class Buffers {
  readonly logitsW: Float32Array
  readonly logitsE: Float32Array
  readonly uW: Float64Array
  readonly uE: Float64Array
  readonly gradSq: Float64Array
  readonly samSq: Float64Array
  readonly logitOnlySq: Float64Array
  readonly jacobianOnlySq: Float64Array
  constructor(
    readonly n: number,
    readonly k: number
  ) {
    this.logitsW = new Float32Array(n * k)
    this.logitsE = new Float32Array(n * k)
    this.uW = new Float64Array(n * k)
    this.uE = new Float64Array(n * k)
    this.gradSq = new Float64Array(n)
    this.samSq = new Float64Array(n)
    this.logitOnlySq = new Float64Array(n)
    this.jacobianOnlySq = new Float64Array(n)
  }
}

interface Slice {
  readonly start: number
  readonly x: tf.Tensor
  readonly labels: Int32Array
}

const slices = (x: tf.Tensor, labels: Int32Array, start: number, end: number, size: number): Slice[] => {
  const out: Slice[] = []
  for (let s = start; s < end; s += size) {
    const e = Math.min(end, s + size)
    out.push({ start: s, x: tf.slice(x, s, e - s), labels: labels.subarray(s, e) })
  }
  return out
}

const disposeSlices = (ss: readonly Slice[]): void => {
  for (const s of ss) s.x.dispose()
}

/** Pass A: at w with the own logit term; records logits, u(w) and the measured squared norms. */
const recordAtW = (
  engine: PerExampleEngine,
  buf: Buffers,
  s: Slice,
  w: Params,
  wantGradient: boolean,
  keepFactors = false,
  patchCache?: PatchCache
): PassResult => {
  const r = engine.pass({ x: s.x, labels: s.labels, weights: w, coefficients: "own", wantGradient, keepFactors, ...(patchCache ? { patchCache } : {}) })
  buf.logitsW.set(r.logits, s.start * buf.k)
  buf.uW.set(r.coefficients, s.start * buf.k)
  buf.gradSq.set(sumLayers(r.layerSqNorms, engine.measured, s.labels.length), s.start)
  return r
}

/**
 * Passes B, C, D: at the perturbed weights with u(w + eps) and with u(w); at w with u(w + eps).
 * B and C run the same forward and share conv patches; D reuses pass A's (`cacheW`) when given.
 */
const recordPerturbed = (
  engine: PerExampleEngine,
  buf: Buffers,
  s: Slice,
  w: Params,
  at: { readonly weights: Params } | { readonly perturbation: PerExamplePerturbation },
  cacheW: PatchCache = new Map()
): void => {
  const b = s.labels.length
  const k = buf.k
  const cacheE: PatchCache = new Map()
  try {
    const perturbed = "weights" in at ? { weights: at.weights } : { weights: w, perturbation: at.perturbation }
    const sam = engine.pass({ x: s.x, labels: s.labels, ...perturbed, coefficients: "own", wantGradient: false, patchCache: cacheE })
    buf.logitsE.set(sam.logits, s.start * k)
    buf.uE.set(sam.coefficients, s.start * k)
    buf.samSq.set(sumLayers(sam.layerSqNorms, engine.measured, b), s.start)
    const uW = buf.uW.slice(s.start * k, (s.start + b) * k)
    const uE = buf.uE.slice(s.start * k, (s.start + b) * k)
    const jac = engine.pass({ x: s.x, labels: s.labels, ...perturbed, coefficients: uW, wantGradient: false, patchCache: cacheE })
    buf.jacobianOnlySq.set(sumLayers(jac.layerSqNorms, engine.measured, b), s.start)
    const logit = engine.pass({ x: s.x, labels: s.labels, weights: w, coefficients: uE, wantGradient: false, patchCache: cacheW })
    buf.logitOnlySq.set(sumLayers(logit.layerSqNorms, engine.measured, b), s.start)
  } finally {
    disposePatchCache(cacheE)
    disposePatchCache(cacheW)
  }
}

/** Every example at the same given eps. */
const withGivenEps = (engine: PerExampleEngine, buf: Buffers, x: tf.Tensor, labels: Int32Array, w: Params, eps: Params, batchSize: number): void => {
  const wPlus = scaledAdd(w, eps, 1)
  const ss = slices(x, labels, 0, buf.n, batchSize)
  try {
    for (const s of ss) {
      const cacheW: PatchCache = new Map()
      try {
        recordAtW(engine, buf, s, w, false, false, cacheW)
        recordPerturbed(engine, buf, s, w, { weights: wPlus }, cacheW)
      } finally {
        disposePatchCache(cacheW)
      }
    }
  } finally {
    disposeSlices(ss)
    disposeParams(wPlus)
  }
}

/**
 * Chunks of `chunkSize` examples, each perturbed by optim-sam's `perturbation` of its own mean
 * gradient: rho * g / (||g|| + 1e-12), or ASAM's rho * w^2 g / (|| |w| g || + 1e-12).
 */
const withChunkEps = (
  engine: PerExampleEngine,
  buf: Buffers,
  x: tf.Tensor,
  labels: Int32Array,
  w: Params,
  spec: { readonly rho: number; readonly chunkSize: number; readonly adaptive?: boolean },
  batchSize: number
): void => {
  const chunkSize = spec.chunkSize
  for (let start = 0; start < buf.n; start += chunkSize) {
    const end = Math.min(buf.n, start + chunkSize)
    const ss = slices(x, labels, start, end, batchSize)
    let sum: Params | undefined
    let wPlus: Params | undefined
    // A chunk of one slice keeps pass A's patches for pass D (more slices would hold them all at once).
    const cacheW: PatchCache | undefined = ss.length === 1 ? new Map() : undefined
    try {
      for (const s of ss) {
        const { gradient } = recordAtW(engine, buf, s, w, true, false, cacheW)
        const previous = sum
        sum = previous ? tf.tidy(() => Object.fromEntries(Object.keys(gradient!).map((n) => [n, tf.add(previous[n]!, gradient![n]!)]))) : gradient
        if (previous) disposeParams(previous, gradient)
      }
      wPlus = tf.tidy(() => {
        const mean = Object.fromEntries(Object.entries(sum!).map(([n, g]) => [n, tf.div(g, end - start)]))
        const eps = perturbation(Object.fromEntries(Object.keys(mean).map((n) => [n, w[n]!])), mean, { rho: spec.rho, adaptive: spec.adaptive ?? false })
        // Parameters the view does not differentiate (none for core-tensor models) stay at w.
        return Object.fromEntries(Object.entries(w).map(([n, t]) => [n, eps[n] ? tf.add(t, eps[n]!) : tf.clone(t)]))
      })
      for (const s of ss) recordPerturbed(engine, buf, s, w, { weights: wPlus }, cacheW)
    } finally {
      disposePatchCache(cacheW)
      disposeSlices(ss)
      disposeParams(sum, wPlus)
    }
  }
}

/** 1-SAM on the layered engine: every example at its own w + eps_i in one batched pass. */
const withPerExampleEps = (engine: PerExampleEngine, buf: Buffers, x: tf.Tensor, labels: Int32Array, w: Params, rho: number, batchSize: number): void => {
  const ss = slices(x, labels, 0, buf.n, batchSize)
  try {
    for (const s of ss) {
      const cacheW: PatchCache = new Map()
      const a = recordAtW(engine, buf, s, w, false, true, cacheW)
      const full = sumLayers(a.layerSqNorms, engine.layers, s.labels.length)
      const scale = tf.tensor1d(Float32Array.from(full, (sq) => rho / (Math.sqrt(sq) + NORM_EPS)))
      try {
        recordPerturbed(engine, buf, s, w, { perturbation: { scale, factors: a.factors! } }, cacheW)
      } finally {
        disposePatchCache(cacheW)
        scale.dispose()
        disposeFactors(a.factors)
      }
    }
  } finally {
    disposeSlices(ss)
  }
}

const fail: FieldFailure = (field, problem) => {
  throw new AnalysisInputError("decompose", field, problem)
}

const checkedLabels = (labels: ArrayLike<number>, n: number, k: number): Int32Array => {
  if (labels.length !== n) throw new AnalysisInputError("decompose", "labels", `has ${labels.length} entries for ${n} examples`)
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const y = labels[i]!
    if (!Number.isInteger(y) || y < 0 || y >= k) throw new AnalysisInputError("decompose", `labels[${i}]`, `is ${y}, outside 0..${k - 1}`)
    out[i] = y
  }
  return out
}

const ratio = (num: Float64Array, den: Float64Array): Float64Array => Float64Array.from(num, (v, i) => v / den[i]!)

/**
 * The per-example decomposition of SAM's gradient on examples `x` (batch-first, the model's
 * input) with `labels` (the labels trained on), at weights `params` and the perturbation that
 * `options.perturbation` describes. Evaluation mode throughout. Nothing it allocates outlives
 * the call; the result is host arrays only.
 *
 * Cost, in forward + backward passes over the n examples: 4 (plus a parameter gradient in the
 * first, for the chunk perturbations) with the layered engine, at any chunk size (1-SAM
 * included, except ASAM's, whose chunks of one run one pass per example); with the loop engine
 * the same number of passes, each run example by example.
 */
export const decompose = (model: Model, params: Params, x: tf.Tensor, labels: ArrayLike<number>, options: DecomposeOptions): ExampleDecomposition => {
  const n = x.shape[0]!
  if (x.rank < 2 || n < 1) throw new AnalysisInputError("decompose", "x", `must be a non-empty batch [n, ...], got shape [${x.shape.join(", ")}]`)
  const k = model.numClasses
  const ys = checkedLabels(labels, n, k)
  const batchSize = positiveInt(options.batchSize ?? 128, "batchSize", fail)
  const spec = options.perturbation
  if ("eps" in spec) {
    assertSameStructure(params, spec.eps, "decompose: perturbation.eps")
  } else {
    if (typeof spec.rho !== "number" || !Number.isFinite(spec.rho) || spec.rho < 0)
      throw new AnalysisInputError("decompose", "perturbation.rho", `must be a finite number >= 0, got ${spec.rho}`)
    positiveInt(spec.chunkSize, "perturbation.chunkSize", fail)
    if (spec.adaptive !== undefined && typeof spec.adaptive !== "boolean")
      throw new AnalysisInputError("decompose", "perturbation.adaptive", `must be a boolean, got ${JSON.stringify(spec.adaptive)}`)
  }
  const choice = options.engine ?? "auto"
  if (choice !== "auto" && choice !== "layered" && choice !== "loop")
    throw new AnalysisInputError("decompose", "engine", `must be "auto", "layered" or "loop", got ${JSON.stringify(choice)}`)
  const engine = chooseEngine(model, params, options.state ?? {}, x, choice, options.layers)
  const buf = new Buffers(n, k)
  if ("eps" in spec) withGivenEps(engine, buf, x, ys, params, spec.eps, batchSize)
  else if (spec.chunkSize === 1 && engine.kind === "layered" && !spec.adaptive) withPerExampleEps(engine, buf, x, ys, params, spec.rho, batchSize)
  else withChunkEps(engine, buf, x, ys, params, spec, batchSize)

  const gradNorm = buf.gradSq.map(Math.sqrt)
  const samGradNorm = buf.samSq.map(Math.sqrt)
  const logitOnlyGradNorm = buf.logitOnlySq.map(Math.sqrt)
  const jacobianOnlyGradNorm = buf.jacobianOnlySq.map(Math.sqrt)
  return {
    n,
    engine: engine.kind,
    measuredLayers: engine.measured,
    loss: crossEntropyHost(buf.logitsW, ys, k),
    perturbedLoss: crossEntropyHost(buf.logitsE, ys, k),
    correct: correctHost(buf.logitsW, ys, k),
    logitTermNorm: rowNorms(buf.uW, n, k),
    perturbedLogitTermNorm: rowNorms(buf.uE, n, k),
    gradNorm,
    samGradNorm,
    logitOnlyGradNorm,
    jacobianOnlyGradNorm,
    samFactor: ratio(samGradNorm, gradNorm),
    logitFactor: ratio(logitOnlyGradNorm, gradNorm),
    jacobianFactor: ratio(jacobianOnlyGradNorm, gradNorm)
  }
}
