import * as tf from "@tensorflow/tfjs-core"
import { backendHasKernels, runOwnKernel } from "../backend/own-kernels.js"
import { type Params, assertSameStructure } from "../params/params.js"
import type { ScaleByLearningRateState } from "./scale-by-learning-rate.js"
import { type Schedule, rateAt } from "./schedule.js"
import type { TraceState } from "./trace.js"

/**
 * The kernel a backend may provide for one step of `sgd` on one parameter
 * (@samlab/tfjs-backend-native registers it for "native"): {w, g, t?} with attrs
 * {lr, weightDecay, momentum, nesterov} -> [w', t'] with momentum (t the buffer), else [w'];
 * bit for bit the chain's four passes, in one.
 */
export const sgdStepKernelName = "SamlabSgdStep"

interface FusedSgdOptions {
  readonly schedule: Schedule
  readonly weightDecay: number
  readonly momentum: number
  readonly nesterov: boolean
}

/**
 * `sgd`'s `fusedApply`: its chain (`addDecayedWeights` when weightDecay > 0, `trace` when
 * momentum > 0, `scaleByLearningRate`) and `applyUpdates` as one kernel call per parameter,
 * on the chain's own state (one entry per link), so the two paths can take turns in a run.
 * Undefined where the backend lacks the kernel or a tensor is not float32.
 */
export const fusedSgdApply =
  (o: FusedSgdOptions) =>
  (grads: Params, state: readonly unknown[], params: Params): { params: Params; state: readonly unknown[] } | undefined => {
    const names = Object.keys(params)
    if (!backendHasKernels(sgdStepKernelName) || names.some((k) => params[k]!.dtype !== "float32" || grads[k]?.dtype !== "float32")) return undefined
    assertSameStructure(params, grads, "sgd")
    const traceAt = o.momentum > 0 ? state.length - 2 : -1
    const trace = traceAt >= 0 ? (state[traceAt] as TraceState).trace : undefined
    if (trace) assertSameStructure(params, trace, "sgd")
    const countAt = state.length - 1
    const { count } = state[countAt] as ScaleByLearningRateState
    const lr = rateAt(o.schedule, count, "scaleByLearningRate")
    const attrs = { lr, weightDecay: o.weightDecay, momentum: o.momentum, nesterov: o.nesterov }
    const nextParams: Record<string, tf.Tensor> = {}
    const nextTrace: Record<string, tf.Tensor> = {}
    for (const k of names) {
      const inputs: tf.NamedTensorMap = { w: params[k]!, g: grads[k]! }
      if (trace) inputs["t"] = trace[k]!
      const [w, t] = runOwnKernel(sgdStepKernelName, inputs, attrs) as tf.Tensor[]
      nextParams[k] = w!
      if (t) nextTrace[k] = t
    }
    const nextState = state.map((s, i) => (i === traceAt ? { trace: nextTrace } : i === countAt ? { count: count + 1 } : s))
    return { params: nextParams, state: nextState }
  }
