import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../params/params.js"
import type { ModelOutput } from "./model.js"

/**
 * Runs a forward pass in `tf.tidy`: the temporaries are freed, the returned tensors
 * (logits, features, activations, a new state) are kept and owned by the caller.
 */
export const tidyOutput = (forward: () => ModelOutput): ModelOutput => tf.tidy(() => forward() as unknown as tf.TensorContainer) as unknown as ModelOutput

/**
 * Frees what `apply` returned. Tensors of `keepState` (the state passed in, which an
 * evaluation pass returns as is) are left alone; a tensor listed twice (features that are
 * also an activation) is freed once.
 */
export const disposeOutput = (out: ModelOutput, keepState?: Params): void => {
  const kept = new Set(keepState ? Object.values(keepState) : [])
  const all = new Set<tf.Tensor>([out.logits, out.features, ...Object.values(out.activations), ...Object.values(out.state)])
  for (const t of all) if (!kept.has(t)) t.dispose()
}
