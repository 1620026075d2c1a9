import * as tf from "@tensorflow/tfjs-core"

interface EngineInternals {
  state?: { activeScope?: { track: tf.Tensor[] } | null }
  track?: (t: tf.Tensor) => tf.Tensor
}

const engine = () => tf.engine() as unknown as EngineInternals

/**
 * Wraps a loss closure to collect the tensors it `tf.keep`s. tfjs-layers' training closure
 * keeps its metric values and appends them to the step's outputs on every call, and
 * `model.fit` only disposes as many as it expects: the copies made by SAM's extra passes
 * would leak. Relies on tfjs 4.x engine internals (scope track lists, the `kept` flag)
 * and does nothing if they are absent.
 */
export const collectKept = (f: () => tf.Scalar): { readonly wrapped: () => tf.Scalar; readonly kept: tf.Tensor[] } => {
  const kept: tf.Tensor[] = []
  const wrapped = () => {
    const scope = engine().state?.activeScope
    const start = scope?.track.length ?? 0
    const y = f()
    if (scope) for (const t of scope.track.slice(start)) if (t.kept === true && t !== y) kept.push(t)
    return y
  }
  return { wrapped, kept }
}

/**
 * Hands tensors kept by an extra pass back to the caller's tidy scope (so `model.fit`'s
 * per-batch tidy frees them), or leaves them kept when there is no scope (then the caller
 * that receives them, e.g. `trainOnBatch`, disposes them). Never disposes them here: the
 * training closure still hands them out.
 */
export const releaseToCallerScope = (tensors: readonly tf.Tensor[]): void => {
  const e = engine()
  if (!e.state?.activeScope || typeof e.track !== "function") return
  for (const t of tensors) {
    if (t.isDisposed) continue
    t.kept = false
    e.track.call(e, t)
  }
}
