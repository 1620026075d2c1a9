import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { type Params, disposeParams } from "../params/params.js"

/** A tensor whose lifetime is the enclosing Effect scope: disposed when the scope closes, whatever the exit. */
export const scopedTensor = <T extends tf.Tensor>(make: () => T) =>
  Effect.acquireRelease(
    Effect.sync(() => tf.tidy(make)),
    (t) => Effect.sync(() => t.dispose())
  )

/** A parameter set (or any record of tensors) owned by the enclosing scope. */
export const scopedParams = <P extends Params>(make: () => P) => Effect.acquireRelease(Effect.sync(make), (p) => Effect.sync(() => disposeParams(p)))
