/**
 * Per-example quantities of host logits, in float64: read once from the device, then
 * everything else (softmax, the logit term, losses, margins) is exact to double precision.
 * `logits` is row-major [n, k].
 */

/** Softmax of row `i` into `out` (max-shifted). */
const softmaxRow = (logits: ArrayLike<number>, i: number, k: number, out: Float64Array): void => {
  let max = -Infinity
  for (let c = 0; c < k; c++) max = Math.max(max, logits[i * k + c]!)
  let sum = 0
  for (let c = 0; c < k; c++) {
    out[c] = Math.exp(logits[i * k + c]! - max)
    sum += out[c]!
  }
  for (let c = 0; c < k; c++) out[c]! /= sum
}

/**
 * The logit term u_i = softmax(z_i) - onehot(y_i), [n, k] row-major. The label entry is
 * computed as -(sum of the other probabilities), not p_y - 1, so it keeps its precision when
 * p_y rounds to 1 (a confidently fitted example).
 */
export const logitTermHost = (logits: ArrayLike<number>, labels: ArrayLike<number>, k: number): Float64Array => {
  const n = labels.length
  const u = new Float64Array(n * k)
  const p = new Float64Array(k)
  for (let i = 0; i < n; i++) {
    softmaxRow(logits, i, k, p)
    const y = labels[i]!
    let others = 0
    for (let c = 0; c < k; c++) {
      if (c === y) continue
      u[i * k + c] = p[c]!
      others += p[c]!
    }
    u[i * k + y] = -others
  }
  return u
}

/** Row norms of an [n, k] row-major matrix. */
export const rowNorms = (m: ArrayLike<number>, n: number, k: number): Float64Array => {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let c = 0; c < k; c++) s += m[i * k + c]! ** 2
    out[i] = Math.sqrt(s)
  }
  return out
}

/** Softmax cross-entropy logsumexp(z_i) - z_i[y_i] per example. */
export const crossEntropyHost = (logits: ArrayLike<number>, labels: ArrayLike<number>, k: number): Float64Array => {
  const n = labels.length
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let max = -Infinity
    for (let c = 0; c < k; c++) max = Math.max(max, logits[i * k + c]!)
    let sum = 0
    for (let c = 0; c < k; c++) sum += Math.exp(logits[i * k + c]! - max)
    out[i] = max + Math.log(sum) - logits[i * k + labels[i]!]!
  }
  return out
}

/** 1 where the arg-max (lowest index on ties, as tf.argMax) equals the label. */
export const correctHost = (logits: ArrayLike<number>, labels: ArrayLike<number>, k: number): Uint8Array => {
  const n = labels.length
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let c = 1; c < k; c++) if (logits[i * k + c]! > logits[i * k + best]!) best = c
    out[i] = best === labels[i]! ? 1 : 0
  }
  return out
}

/** Multi-class margin z_y - max_{c != y} z_c (negative when misclassified). */
export const marginHost = (logits: ArrayLike<number>, labels: ArrayLike<number>, k: number): Float64Array => {
  const n = labels.length
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const y = labels[i]!
    let other = -Infinity
    for (let c = 0; c < k; c++) if (c !== y) other = Math.max(other, logits[i * k + c]!)
    out[i] = logits[i * k + y]! - other
  }
  return out
}
