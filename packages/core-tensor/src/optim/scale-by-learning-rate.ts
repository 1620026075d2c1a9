import { scaleParams } from "../params/params.js"
import { type LearningRate, rateAt, toSchedule } from "./schedule.js"
import type { GradientTransformation } from "./transform.js"

/** How many updates were made so far: the schedule's step index. */
export interface ScaleByLearningRateState {
  readonly count: number
}

/**
 * The gradients times `-lr` (optax.scale_by_learning_rate): the last link of a descent chain.
 * With a schedule, update k (0-based) uses `schedule(k)`, checked finite and >= 0.
 */
export const scaleByLearningRate = (lr: LearningRate): GradientTransformation<ScaleByLearningRateState> => {
  const schedule = toSchedule(lr, "scaleByLearningRate")
  return {
    name: "scaleByLearningRate",
    init: () => ({ count: 0 }),
    update: (grads, state) => ({ updates: scaleParams(grads, -rateAt(schedule, state.count, "scaleByLearningRate")), state: { count: state.count + 1 } }),
    disposeState: () => {}
  }
}
