import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { NativeAddonUnavailableError } from "./errors.js"

/** What the addon reports about itself. */
export interface NativeInfo {
  /** The SIMD level its kernels use: "avx512f", "avx2+fma" or "generic" (runtime dispatch; SAMLAB_NATIVE_SIMD=avx2 or =generic caps it). */
  readonly simd: string
  /** The GEMM micro-kernel in use, e.g. "avx512f 12x32" or "avx2+fma 6x16". */
  readonly gemmKernel: string
  /** Threads in its pool, the calling thread included. */
  readonly threads: number
}

/**
 * The N-API surface (native/napi/binding.cc). Every call is synchronous, reads its inputs in
 * place and writes into the `out` array the caller allocated; sizes are checked natively.
 */
export interface NativeAddon {
  info(): NativeInfo
  setThreads(n: number): number
  matMul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean
  ): void
  conv2d(x: Float32Array, filter: Float32Array, out: Float32Array, geometry: Int32Array): void
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, out: Float32Array, geometry: Int32Array): void
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, out: Float32Array, geometry: Int32Array): void
  /** Whether pass 0 (forward), 1 (input gradient) or 2 (filter gradient) of the convolution takes the Winograd path. */
  conv2dWinograd(geometry: Int32Array, pass: number): boolean
  maxPool(x: Float32Array, out: Float32Array, geometry: Int32Array): void
  maxPoolGrad(x: Float32Array, dy: Float32Array, out: Float32Array, geometry: Int32Array): void
  avgPool(x: Float32Array, out: Float32Array, geometry: Int32Array): void
  avgPoolGrad(dy: Float32Array, out: Float32Array, geometry: Int32Array): void
  biasActivation(y: Float32Array, rows: number, cols: number, bias: Float32Array | null, activation: number, param: number): void
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, shape: Int32Array, aStrides: Int32Array, bStrides: Int32Array): void
  /** Float32 comparison to bool bytes (0/1), broadcast as `binary`. */
  compare(op: number, a: Float32Array, b: Float32Array, out: Uint8Array, shape: Int32Array, aStrides: Int32Array, bStrides: Int32Array): void
  /** `a && b` / `a || b` on bool bytes, broadcast as `binary`. */
  logical(op: number, a: Uint8Array, b: Uint8Array, out: Uint8Array, shape: Int32Array, aStrides: Int32Array, bStrides: Int32Array): void
  logicalNot(x: Uint8Array, out: Uint8Array): void
  /** out = condition == 1 ? t : e, element by element. */
  select(condition: Uint8Array, t: Float32Array, e: Float32Array, out: Float32Array): void
  /**
   * Converts x into out as tfjs's cpu Cast does, the types given by the arrays (Float32Array
   * float32, Int32Array int32, Uint8Array bool); returns how many int32 values float32 rounded.
   */
  cast(x: Float32Array | Int32Array | Uint8Array, out: Float32Array | Int32Array | Uint8Array): number
  unary(op: number, x: Float32Array, out: Float32Array, param: number): void
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, reduceSize: number, inner: number): void
  addN(inputs: Float32Array[], out: Float32Array): void
  /** out[0] = the L2 norm of all inputs together (sums of squares in double); NaN if any element is not finite. */
  globalNorm(inputs: Float32Array[], out: Float32Array): void
  /** out = a + b * s elementwise (the product rounded to float first, as tfjs's two ops). */
  scaledAdd(a: Float32Array, b: Float32Array, s: number, out: Float32Array): void
  /**
   * One step of torch.optim.SGD (dampening 0) in one pass, with the roundings of core-tensor's
   * chain: d = g + w wd (wd > 0); t' = d + t momentum (t given exactly when momentum > 0);
   * u = nesterov ? d + t' momentum : t'; w' = w + u negLr.
   */
  sgdStep(
    w: Float32Array,
    g: Float32Array,
    t: Float32Array | null,
    wOut: Float32Array,
    tOut: Float32Array | null,
    negLr: number,
    weightDecay: number,
    momentum: number,
    nesterov: boolean
  ): void
  /** Per channel of x [rows, channels]: the mean and biased variance (batch_norm.h). */
  channelMoments(x: Float32Array, mean: Float32Array, variance: Float32Array, rows: number, channels: number): void
  /** out = x * scale + offset per channel. */
  channelAffine(x: Float32Array, scale: Float32Array, offset: Float32Array, out: Float32Array, rows: number, channels: number): void
  /** Per channel: sumDy = sum(dy), sumDyX = sum(dy (x - center)), center null for zero. */
  channelGradSums(
    dy: Float32Array,
    x: Float32Array,
    center: Float32Array | null,
    sumDy: Float32Array,
    sumDyX: Float32Array,
    rows: number,
    channels: number
  ): void
  /** out = dy * a - x * k + c per channel. */
  channelAffineGrad(
    dy: Float32Array,
    x: Float32Array,
    a: Float32Array,
    k: Float32Array,
    c: Float32Array,
    out: Float32Array,
    rows: number,
    channels: number
  ): void
  /**
   * Training-mode batch norm (batch_norm_train.h): y = [relu](x scale + offset [+ residual]) with
   * the batch's mean and biased variance, which it writes, and the new moving statistics.
   */
  batchNormTrain(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    movingMean: Float32Array,
    movingVar: Float32Array,
    residual: Float32Array | null,
    relu: boolean,
    epsilon: number,
    momentum: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    newMovingMean: Float32Array,
    newMovingVar: Float32Array,
    rows: number,
    channels: number
  ): void
  /** Its gradient without a residual: dx, dgamma, dbeta from dy (the ReLU's mask read from x when relu). */
  batchNormTrainGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    relu: boolean,
    epsilon: number,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    channels: number
  ): void
  /** out = relu(x + bias) per channel of x [rows, channels] (bias_relu.h). */
  biasRelu(x: Float32Array, bias: Float32Array, out: Float32Array, rows: number, channels: number): void
  /** dx = dy * step(y) (ReLU's gradient from its output y); sumDx, unless null, its per-channel sums. */
  reluGrad(dy: Float32Array, y: Float32Array, dx: Float32Array, sumDx: Float32Array | null, rows: number, channels: number): void
  /** out = x[begin : begin + size], x of `shape`; x, out of one element type (native/src/copy.h). */
  slice(x: CopyArray, out: CopyArray, shape: Int32Array, begin: Int32Array, size: Int32Array): void
  /** out = x with before[d] and after[d] elements of value[0] around each dimension d. */
  pad(x: CopyArray, out: CopyArray, shape: Int32Array, before: Int32Array, after: Int32Array, value: CopyArray): void
  /** out = x repeated reps[d] times along each dimension d of its `shape` (rank <= 4). */
  tile(x: CopyArray, out: CopyArray, shape: Int32Array, reps: Int32Array): void
  /** out [outer, sum(sizes) * inner] = the parts [outer, sizes[i] * inner] side by side. */
  concat(parts: CopyArray[], out: CopyArray, outer: number, inner: number, sizes: Int32Array): void
  /** The inverse of concat: x cut into the parts. */
  split(x: CopyArray, parts: CopyArray[], outer: number, inner: number, sizes: Int32Array): void
  measurePeak(iterations: number): PeakMeasurement
}

/** Element arrays the copy kernels move: float32, int32 and bool (one byte) tensors. */
export type CopyArray = Float32Array | Int32Array | Uint8Array

/** The fp32 peak measured by independent FMA chains on every pool thread (`measureNativePeak`). */
export interface PeakMeasurement {
  /** All threads together. */
  readonly gflops: number
  readonly threads: number
  /** Floating-point operations counted in the timed run, and its wall time. */
  readonly flops: number
  readonly seconds: number
}

const packageName = "@samlab/tfjs-backend-native"

/** The package root: the nearest directory above this module whose package.json is ours (works from src and dist). */
export const packageRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, "package.json")
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === packageName) return dir
      } catch {
        // an unreadable manifest is not ours; keep looking
      }
    }
    const parent = dirname(dir)
    if (parent === dir)
      throw new NativeAddonUnavailableError("build/Release/samlab_native.node", `cannot find the package root above ${fileURLToPath(import.meta.url)}`)
    dir = parent
  }
}

/** Where the addon is loaded from: SAMLAB_NATIVE_ADDON when set, else build/Release under the package root. */
export const addonPath = (): string => process.env["SAMLAB_NATIVE_ADDON"] || join(packageRoot(), "build", "Release", "samlab_native.node")

const expectedFunctions: ReadonlyArray<keyof NativeAddon> = [
  "info",
  "setThreads",
  "matMul",
  "conv2d",
  "conv2dBackpropInput",
  "conv2dBackpropFilter",
  "conv2dWinograd",
  "maxPool",
  "maxPoolGrad",
  "avgPool",
  "avgPoolGrad",
  "biasActivation",
  "binary",
  "compare",
  "logical",
  "logicalNot",
  "select",
  "cast",
  "unary",
  "reduce",
  "globalNorm",
  "scaledAdd",
  "sgdStep",
  "addN",
  "channelMoments",
  "channelAffine",
  "channelGradSums",
  "channelAffineGrad",
  "batchNormTrain",
  "batchNormTrainGrad",
  "biasRelu",
  "reluGrad",
  "slice",
  "pad",
  "tile",
  "concat",
  "split",
  "measurePeak"
]

export type AddonStatus =
  { readonly ok: true; readonly addon: NativeAddon; readonly path: string } | { readonly ok: false; readonly error: NativeAddonUnavailableError }

/** Tries to load the addon at `path` (uncached); never throws, the failure is returned. */
export const probeAddon = (path: string): AddonStatus => {
  const threads = process.env["SAMLAB_NATIVE_THREADS"]
  if (threads !== undefined && threads !== "" && !/^(?:[1-9]\d{0,1}|1\d\d|2[0-4]\d|25[0-6])$/.test(threads.trim()))
    return { ok: false, error: new NativeAddonUnavailableError(path, `SAMLAB_NATIVE_THREADS must be an integer in [1, 256], got "${threads}"`) }
  try {
    if (!existsSync(path)) return { ok: false, error: new NativeAddonUnavailableError(path, `${path} does not exist: the install script did not build it`) }
    const addon = createRequire(import.meta.url)(path) as NativeAddon
    const missing = expectedFunctions.filter((f) => typeof addon[f] !== "function")
    if (missing.length > 0) return { ok: false, error: new NativeAddonUnavailableError(path, `${path} is stale: it lacks ${missing.join(", ")}; rebuild it`) }
    return { ok: true, addon, path }
  } catch (e) {
    return { ok: false, error: new NativeAddonUnavailableError(path, `${path} failed to load: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`) }
  }
}

let cached: AddonStatus | undefined

/** Loads the addon from `addonPath()` once per process; never throws, the failure is returned. */
export const loadAddon = (): AddonStatus => {
  if (cached) return cached
  try {
    cached = probeAddon(addonPath())
  } catch (e) {
    // addonPath() throws when the package root cannot be found
    cached = { ok: false, error: e instanceof NativeAddonUnavailableError ? e : new NativeAddonUnavailableError("build/Release/samlab_native.node", String(e)) }
  }
  return cached
}

/** The addon, or a `NativeAddonUnavailableError` saying why not. */
export const requireAddon = (): NativeAddon => {
  const status = loadAddon()
  if (!status.ok) throw status.error
  return status.addon
}
