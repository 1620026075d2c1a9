import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../params/params.js"
import { registerMissingGradients } from "./gradients/register.js"

/**
 * tfjs-core's Node entry registers no gradient functions; importing core-tensor registers
 * the missing ones (see gradients/). Code that calls `tf.grad`/`tf.grads` directly can call
 * this to make the dependency explicit; it never replaces a registered gradient.
 */
export const ensureGradientsRegistered = (): void => {
  registerMissingGradients()
}

/**
 * Applies `f` to every tensor of a container (a tensor, or arrays and plain objects of
 * them), keeping the structure; `undefined` and `null` pass through.
 */
export const mapTensors = <A>(container: A, f: (t: tf.Tensor) => tf.Tensor): A => {
  if (container === undefined || container === null) return container
  if (container instanceof tf.Tensor) return f(container) as A
  if (Array.isArray(container)) return container.map((c) => mapTensors(c, f)) as A
  if (typeof container === "object") {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(container)) out[k] = mapTensors(v, f)
    return out as A
  }
  return container
}

const forEachTensor = (container: unknown, f: (t: tf.Tensor) => void): void => {
  mapTensors(container, (t) => (f(t), t))
}

export interface ValueAndGrads<A> {
  /** The loss at `params`. */
  readonly value: tf.Scalar
  /** d loss / d params, keyed and shaped like `params` (zeros for params the loss ignores). */
  readonly grads: Params
  /** What the loss function returned beside the loss (logits, model state...). */
  readonly aux: A
}

/**
 * Loss and gradients over a `Params` record, plus auxiliary outputs of the same forward
 * pass (so a method reads logits or batch-norm state without a second pass).
 * Everything returned is a fresh tensor owned by the caller (tracked by an enclosing
 * `tf.tidy` like any op result); every temporary is freed, also when `lossFn` throws.
 */
export const valueAndGradParamsWithAux = <A>(lossFn: (params: Params) => { readonly loss: tf.Scalar; readonly aux: A }, params: Params): ValueAndGrads<A> => {
  ensureGradientsRegistered()
  const names = Object.keys(params)
  const xs = names.map((k) => params[k]!)
  let kept: A | undefined
  try {
    return tf.tidy(() => {
      const { value, grads } = tf.engine().gradients(
        () => {
          const out = lossFn(params)
          // The forward runs in a tidy of its own: keep copies of the aux tensors past it
          // (copies, because aux may hold tensors the caller owns, such as an input state).
          kept = mapTensors(out.aux, (t) => tf.keep(tf.clone(t)))
          return out.loss
        },
        xs,
        undefined,
        true
      )
      const named: Record<string, tf.Tensor> = {}
      names.forEach((k, i) => (named[k] = grads[i] ?? tf.zerosLike(xs[i]!)))
      // Clones share the data and are ordinary tidy-tracked tensors, unlike the kept ones.
      const aux = mapTensors(kept as A, (t) => tf.clone(t))
      return { value: value as tf.Scalar, grads: named, aux } as unknown as tf.TensorContainer
    }) as unknown as ValueAndGrads<A>
  } catch (e) {
    releaseTapeAfterThrow()
    throw e
  } finally {
    forEachTensor(kept, (t) => t.dispose())
  }
}

/**
 * When the loss function throws, tfjs leaves the tape's saved tensors (kept copies of op
 * inputs) alive; free them so a failed step leaks nothing. Only at the outermost gradient
 * level, and only if the engine has the expected (4.x) internal shape.
 */
const releaseTapeAfterThrow = (): void => {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number; activeTape?: Array<{ saved?: tf.Tensor[] }> | null } }).state
  if (state === undefined || state.gradientDepth !== 0 || !Array.isArray(state.activeTape)) return
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose()
  state.activeTape = null
}

/** Loss and gradients of `lossFn` at `params` (see `valueAndGradParamsWithAux`). */
export const valueAndGradParams = (lossFn: (params: Params) => tf.Scalar, params: Params): { readonly value: tf.Scalar; readonly grads: Params } => {
  const { value, grads } = valueAndGradParamsWithAux((p) => ({ loss: lossFn(p), aux: undefined }), params)
  return { value, grads }
}
