import * as tf from "@tensorflow/tfjs-core"
import { backendHasKernels, runOwnKernel } from "../backend/own-kernels.js"

/**
 * A parameter set: named tensors in a fixed order. Models are functions of an explicit
 * `Params`; optimizers map one `Params` to the next. Key order is the insertion order and
 * is what `flatten` and `globalNorm` follow.
 */
export type Params = Readonly<Record<string, tf.Tensor>>

export class ParamMismatchError extends Error {
  override readonly name = "ParamMismatchError"
}

/** Checks that `b` has exactly the names and shapes of `a` (`what` names the call site). */
export const assertSameStructure = (a: Params, b: Params, what: string): void => {
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) {
    throw new ParamMismatchError(`${what}: parameter names differ: [${ka.join(", ")}] vs [${kb.join(", ")}]`)
  }
  for (const k of ka) {
    const sa = a[k]!.shape
    const sb = b[k]!.shape
    if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i])) {
      throw new ParamMismatchError(`${what}: parameter "${k}" has shape [${sb}] where [${sa}] was expected`)
    }
  }
}

export const mapParams = (p: Params, f: (t: tf.Tensor, name: string) => tf.Tensor): Params => {
  const out: Record<string, tf.Tensor> = {}
  for (const k of Object.keys(p)) out[k] = f(p[k]!, k)
  return out
}

export const zipParams = (a: Params, b: Params, f: (x: tf.Tensor, y: tf.Tensor, name: string) => tf.Tensor): Params => {
  assertSameStructure(a, b, "zipParams")
  const out: Record<string, tf.Tensor> = {}
  for (const k of Object.keys(a)) out[k] = f(a[k]!, b[k]!, k)
  return out
}

/**
 * The kernel a backend may provide for `globalNorm`, by name (@samlab/tfjs-backend-native
 * registers it for "native"): float32 tensors (an array, like AddN's) -> their L2 norm, one
 * pass with the squares summed in double; NaN when an element is not finite.
 */
export const globalNormKernelName = "SamlabGlobalNorm"

/**
 * Global L2 norm over every tensor of the set, as a scalar tensor. Where the plain sum of
 * squares overflows float32 (entries near 1e19 and above) the norm is taken of the set divided
 * by its largest magnitude, then scaled back, so it stays finite whenever the entries are;
 * otherwise it is the plain norm, bit for bit. On a backend with the `globalNormKernelName`
 * kernel (float32 sets) it is that kernel's one-pass norm instead: the same value up to float
 * rounding, never overflowing before the norm itself does.
 */
export const globalNorm = (p: Params): tf.Scalar =>
  tf.tidy(() => {
    const tensors = Object.values(p)
    if (tensors.length === 0) return tf.scalar(0)
    if (tensors.every((t) => t.dtype === "float32") && backendHasKernels(globalNormKernelName))
      return runOwnKernel(globalNormKernelName, tensors as unknown as tf.NamedTensorMap) as tf.Scalar
    const plain = tf.sqrt(tf.addN(tensors.map((t) => tf.sum(tf.square(t))))) as tf.Scalar
    const peak = tf.max(tf.stack(tensors.map((t) => tf.max(tf.abs(t)))))
    const divisor = tf.maximum(peak, tf.scalar(Number.MIN_VALUE))
    const scaled = tf.mul(peak, tf.sqrt(tf.addN(tensors.map((t) => tf.sum(tf.square(tf.div(t, divisor)))))))
    return tf.where(tf.isFinite(plain), plain, scaled) as tf.Scalar
  })

/**
 * The kernel a backend may provide for `a + b * s` (@samlab/tfjs-backend-native registers it
 * for "native"): {a, b, s}, a and b float32 of one shape, s a float32 scalar -> a + b * s with
 * tfjs's two roundings (bit for bit add(a, mul(b, s))), one pass instead of two.
 */
export const scaledAddKernelName = "SamlabScaledAdd"

/** `a + b * s` as `tf.add(a, tf.mul(b, s))`, bit for bit; one kernel where the backend has it. */
export const addScaled = (a: tf.Tensor, b: tf.Tensor, s: number | tf.Scalar): tf.Tensor =>
  tf.tidy(() => {
    const fused =
      a.dtype === "float32" &&
      b.dtype === "float32" &&
      tf.util.arraysEqual(a.shape, b.shape) &&
      (typeof s === "number" || (s.dtype === "float32" && s.size === 1)) &&
      backendHasKernels(scaledAddKernelName)
    if (!fused) return tf.add(a, tf.mul(b, s))
    return runOwnKernel(scaledAddKernelName, { a, b, s: typeof s === "number" ? tf.scalar(s) : s }) as tf.Tensor
  })

/** `a + alpha * b`, tensor by tensor (alpha a number or a scalar tensor). */
export const scaledAdd = (a: Params, b: Params, alpha: number | tf.Scalar): Params => tf.tidy(() => zipParams(a, b, (x, y) => addScaled(x, y, alpha)))

export const scaleParams = (p: Params, alpha: number | tf.Scalar): Params => tf.tidy(() => mapParams(p, (t) => tf.mul(t, alpha)))

export const zerosLike = (p: Params): Params => mapParams(p, (t) => tf.zerosLike(t))

/** Fresh copies that survive the disposal of the originals. */
export const cloneParams = (p: Params): Params => mapParams(p, (t) => tf.clone(t))

export const disposeParams = (...sets: ReadonlyArray<Params | undefined>): void => {
  for (const s of sets) if (s) for (const t of Object.values(s)) t.dispose()
}

/** Keeps every tensor of the set out of the enclosing `tf.tidy`. */
export const keepParams = <P extends Params>(p: P): P => {
  for (const t of Object.values(p)) tf.keep(t)
  return p
}

/**
 * Names of the tensors holding a NaN or an infinity, in key order (one host read for the
 * whole set: `x * 0` is NaN exactly where x is not finite, and a sum of zeros cannot overflow).
 */
export const nonFiniteParams = (p: Params): string[] => {
  const names = Object.keys(p).filter((k) => p[k]!.dtype === "float32")
  if (names.length === 0) return []
  const probe = tf.tidy(() => tf.stack(names.map((k) => tf.sum(tf.mul(p[k]!, 0)))))
  const flags = probe.dataSync()
  probe.dispose()
  return names.filter((_, i) => Number.isNaN(flags[i]!))
}

export const paramCount = (p: Params): number => Object.values(p).reduce((n, t) => n + t.size, 0)

/** All values in key order as one Float32Array (a host copy). */
export const flattenParams = (p: Params): Float32Array => {
  const out = new Float32Array(paramCount(p))
  let offset = 0
  for (const t of Object.values(p)) {
    out.set(t.dataSync() as Float32Array, offset)
    offset += t.size
  }
  return out
}

/** The inverse of `flattenParams`, shaped like `like`. */
export const unflattenParams = (flat: Float32Array, like: Params): Params => {
  const n = paramCount(like)
  if (flat.length !== n) throw new ParamMismatchError(`unflattenParams: ${flat.length} values for ${n} parameters`)
  const out: Record<string, tf.Tensor> = {}
  let offset = 0
  for (const k of Object.keys(like)) {
    const t = like[k]!
    out[k] = tf.tensor(flat.subarray(offset, offset + t.size), t.shape, "float32")
    offset += t.size
  }
  return out
}

/** Host copies of every tensor, for checkpoints and exact restore. */
export interface ParamSnapshot {
  readonly names: readonly string[]
  readonly shapes: readonly (readonly number[])[]
  readonly values: readonly Float32Array[]
}

export const snapshotParams = (p: Params): ParamSnapshot => ({
  names: Object.keys(p),
  shapes: Object.values(p).map((t) => t.shape),
  values: Object.values(p).map((t) => Float32Array.from(t.dataSync() as Float32Array))
})

export const restoreParams = (s: ParamSnapshot): Params => {
  const out: Record<string, tf.Tensor> = {}
  s.names.forEach((k, i) => (out[k] = tf.tensor(s.values[i]!, [...s.shapes[i]!], "float32")))
  return out
}

/**
 * Variables in place, for code that works with `tf.Variable`s (tfjs-layers, tf.train): snapshot
 * copies, perturb, then put the exact saved values back (never subtract eps, which would drift
 * by rounding). Copies share data, so a snapshot is cheap; it stays valid for repeated restores
 * until `disposeVariableSnapshot`.
 */
export interface VariableSnapshot {
  readonly variables: readonly tf.Variable[]
  readonly values: readonly tf.Tensor[]
}

export const snapshotVariables = (variables: readonly tf.Variable[]): VariableSnapshot => ({ variables, values: variables.map((v) => tf.keep(tf.clone(v))) })

/** Puts the snapshot's values back (exact copies); variables disposed meanwhile are skipped. */
export const restoreVariables = (s: VariableSnapshot): void => {
  s.variables.forEach((v, i) => {
    if (!v.isDisposed) v.assign(s.values[i]!)
  })
}

export const disposeVariableSnapshot = (s: VariableSnapshot | undefined): void => {
  if (s) for (const t of s.values) t.dispose()
}
