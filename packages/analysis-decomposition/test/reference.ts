import { type Model, type Params, logitTerm } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"

/**
 * A naive, independent reference for the decomposition: one tf.grads call per example and per
 * quantity, straight on `model.apply`, with the perturbation built by hand.
 */
const names = (p: Params) => Object.keys(p)

const gradOf = (f: (p: Params) => tf.Scalar, at: Params): Params =>
  tf.tidy(() => {
    const ks = names(at)
    const gs = tf.grads((...ts: tf.Tensor[]) => f(Object.fromEntries(ks.map((k, i) => [k, ts[i]!]))))(ks.map((k) => at[k]!))
    return Object.fromEntries(ks.map((k, i) => [k, gs[i]!]))
  })

const normOver = (g: Params, keep: (name: string) => boolean): number =>
  Math.sqrt(
    Object.entries(g)
      .filter(([k]) => keep(k))
      .reduce((s, [, t]) => s + (tf.sum(tf.square(t)).dataSync()[0] as number), 0)
  )

const ce = (model: Model, p: Params, x: tf.Tensor, y: tf.Tensor1D, state: Params): tf.Scalar =>
  tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(y, model.numClasses), tf.logSoftmax(model.apply(p, x, { training: false, state }).logits)), 1))) as tf.Scalar

export interface NaiveResult {
  gradNorm: number[]
  samGradNorm: number[]
  logitOnlyGradNorm: number[]
  jacobianOnlyGradNorm: number[]
}

/**
 * eps per chunk of `chunkSize` consecutive examples: rho * g / (||g|| + 1e-12), g the
 * gradient of the chunk's mean cross-entropy (or `eps` given). `keep` picks the measured params.
 */
export const naiveDecomposition = (
  model: Model,
  params: Params,
  x: tf.Tensor,
  labels: number[],
  opts: { rho?: number; chunkSize?: number; adaptive?: boolean; eps?: Params; state?: Params; keep?: (name: string) => boolean }
): NaiveResult => {
  const state = opts.state ?? {}
  const keep = opts.keep ?? (() => true)
  const n = labels.length
  const out: NaiveResult = { gradNorm: [], samGradNorm: [], logitOnlyGradNorm: [], jacobianOnlyGradNorm: [] }
  const chunk = opts.chunkSize ?? n
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk)
    tf.tidy(() => {
      const xc = tf.slice(x, start, end - start)
      const yc = tf.tensor1d(labels.slice(start, end), "int32")
      let eps = opts.eps
      if (!eps) {
        const g = gradOf((p) => ce(model, p, xc, yc, state), params)
        if (opts.adaptive) {
          // ASAM: rho * w^2 g / (|| |w| g || + 1e-12)
          const scaled = Object.fromEntries(Object.entries(g).map(([k, t]) => [k, tf.mul(tf.abs(params[k]!), t)]))
          const norm = normOver(scaled, () => true)
          eps = Object.fromEntries(Object.entries(g).map(([k, t]) => [k, tf.mul(tf.mul(tf.square(params[k]!), t), opts.rho! / (norm + 1e-12))]))
        } else {
          const norm = normOver(g, () => true)
          eps = Object.fromEntries(Object.entries(g).map(([k, t]) => [k, tf.mul(t, opts.rho! / (norm + 1e-12))]))
        }
      }
      const plus = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, tf.add(t, eps![k]!)]))
      for (let i = 0; i < end - start; i++) {
        const xi = tf.slice(x, start + i, 1)
        const yi = tf.tensor1d([labels[start + i]!], "int32")
        const uW = logitTerm(model.apply(params, xi, { training: false, state }).logits, yi)
        const uE = logitTerm(model.apply(plus, xi, { training: false, state }).logits, yi)
        const surrogate = (u: tf.Tensor) => (p: Params) => tf.sum(tf.mul(model.apply(p, xi, { training: false, state }).logits, u)) as tf.Scalar
        out.gradNorm.push(
          normOver(
            gradOf((p) => ce(model, p, xi, yi, state), params),
            keep
          )
        )
        out.samGradNorm.push(
          normOver(
            gradOf((p) => ce(model, p, xi, yi, state), plus),
            keep
          )
        )
        out.logitOnlyGradNorm.push(normOver(gradOf(surrogate(uE), params), keep))
        out.jacobianOnlyGradNorm.push(normOver(gradOf(surrogate(uW), plus), keep))
      }
    })
  }
  return out
}

/** Each value within `atol + rtol * |expected|`; names the first offending index. */
export const expectAllClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-4): void => {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} where ${expected.length} was expected`)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const e = expected[i]!
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`${what}[${i}]: ${a} where ${e} was expected (atol ${atol}, rtol ${rtol})`)
  }
}
