import * as tf from "@tensorflow/tfjs-core"
import { type Params, zipParams } from "../params/params.js"

/** `params + updates`, tensor by tensor: new tensors owned by the caller; the inputs are untouched. */
export const applyUpdates = (params: Params, updates: Params): Params => tf.tidy(() => zipParams(params, updates, (p, u) => tf.add(p, u)))
