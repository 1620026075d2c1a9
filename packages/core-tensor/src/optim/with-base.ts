import * as tf from "@tensorflow/tfjs-core"
import { disposeParams } from "../params/params.js"
import { updateAndApply } from "./apply-updates.js"
import { NonFiniteLossError } from "./errors.js"
import type { GradientEstimate, GradientEstimator } from "./estimator.js"
import type { GradientTransformation, TrainingMethod } from "./transform.js"

/** The estimate's host numbers: the loss and penalty in one read, then the metrics. */
const readScalars = (r: GradientEstimate): { loss: number; penalty: number | undefined; metrics: Record<string, number> | undefined } => {
  let loss: number
  let penalty: number | undefined
  if (r.penalty) {
    const both = tf.tidy(() => tf.stack([r.loss, r.penalty!]))
    ;[loss, penalty] = both.dataSync() as unknown as [number, number]
    both.dispose()
  } else loss = r.loss.dataSync()[0]!
  const metrics = r.metrics && Object.fromEntries(Object.entries(r.metrics).map(([k, t]) => [k, t.dataSync()[0]!]))
  return { loss, penalty, metrics }
}

/**
 * A training method from a gradient estimator and a base optimizer (optax's shape: the
 * estimator says which gradient, `base` how to step). One step: estimate, refuse a non-finite
 * objective (`NonFiniteLossError` with the step number; no update is made), hand the gradient
 * to `base` at the unperturbed params, apply the updates. The step disposes everything it
 * made but the new params, state and model state.
 */
export const withBase = <S>(estimator: GradientEstimator, base: GradientTransformation<S>, name = `${estimator.name} -> ${base.name}`): TrainingMethod<S> => ({
  name,
  init: (params) => base.init(params),
  disposeState: (state) => base.disposeState(state),
  step: (params, state, batch, forward, stepNumber) => {
    const r = estimator.estimate(params, batch, forward, `${name} step ${stepNumber}`)
    try {
      const { loss, penalty, metrics } = readScalars(r)
      const objective = penalty === undefined ? loss : loss + penalty
      if (!Number.isFinite(objective)) throw new NonFiniteLossError(name, stepNumber, objective)
      const { params: newParams, state: next } = updateAndApply(base, r.grads, state, params)
      return { params: newParams, state: next, loss, modelState: r.modelState, ...(penalty === undefined ? {} : { penalty }), ...(metrics ? { metrics } : {}) }
    } catch (e) {
      disposeParams(r.modelState)
      throw e
    } finally {
      disposeParams(r.grads)
      tf.dispose([r.loss, ...(r.penalty ? [r.penalty] : []), ...Object.values(r.metrics ?? {})])
    }
  }
})
