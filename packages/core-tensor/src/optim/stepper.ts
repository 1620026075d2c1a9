import type * as tf from "@tensorflow/tfjs-core"
import type { Model } from "../models/model.js"
import { type Params, disposeParams } from "../params/params.js"
import type { Batch, ForwardOutput, StepResult, TrainingMethod } from "./transform.js"

/** A forward pass in training mode at given params and model state. */
export type StatefulForward = (params: Params, x: tf.Tensor, modelState: Params) => ForwardOutput

/** A model's training-mode forward. */
export const trainingForward =
  (model: Pick<Model, "apply">): StatefulForward =>
  (params, x, modelState) =>
    model.apply(params, x, { training: true, state: modelState })

export interface StepperOptions<S> {
  readonly method: TrainingMethod<S>
  readonly forward: StatefulForward
  /** The params to start from; the stepper takes them over. */
  readonly params: Params
  /** Taken over as well; default none (a model without state). */
  readonly modelState?: Params
  /** Taken over as well; default `method.init(params)`. */
  readonly methodState?: S
  /** Steps already made (a resumed run); the next step is number `stepsDone + 1`. */
  readonly stepsDone?: number
}

/** What one step reports: the method's numbers, with nothing left to dispose. */
export type StepReport = Omit<StepResult<unknown>, "params" | "state" | "modelState">

/**
 * Params, model state and method state of one training run, owned together: `step` runs the
 * method on a batch and swaps all three for their successors (disposing the old ones), so no
 * caller writes that bookkeeping again. A failed step leaves the state as it was.
 */
export interface Stepper<S> {
  readonly params: Params
  readonly modelState: Params
  readonly methodState: S
  /** Steps made so far (with `stepsDone`). */
  readonly stepsDone: number
  step(batch: Batch): StepReport
  /** Frees the three; later calls do nothing. */
  dispose(): void
}

export const stepper = <S>(o: StepperOptions<S>): Stepper<S> => {
  const { method, forward } = o
  let params = o.params
  let modelState = o.modelState ?? {}
  let methodState = o.methodState ?? method.init(params)
  let stepsDone = o.stepsDone ?? 0
  let disposed = false
  return {
    get params() {
      return params
    },
    get modelState() {
      return modelState
    },
    get methodState() {
      return methodState
    },
    get stepsDone() {
      return stepsDone
    },
    step: (batch) => {
      if (disposed) throw new Error(`${method.name}: step after the stepper was disposed`)
      const current = modelState
      const {
        params: nextParams,
        state: nextState,
        modelState: nextModelState,
        ...report
      } = method.step(params, methodState, batch, (p, x) => forward(p, x, current), stepsDone + 1)
      disposeParams(params)
      method.disposeState(methodState)
      params = nextParams
      methodState = nextState
      // a forward without state gives an empty set: keep the old one then
      if (nextModelState && Object.keys(nextModelState).length > 0) {
        disposeParams(modelState)
        modelState = nextModelState
      } else disposeParams(nextModelState)
      stepsDone++
      return report
    },
    dispose: () => {
      if (disposed) return
      disposed = true
      disposeParams(params, modelState)
      method.disposeState(methodState)
    }
  }
}
