import { cloneParams } from "../params/params.js"
import { stateless } from "./stateless.js"
import type { GradientTransformation } from "./transform.js"

/** The gradients unchanged (optax.identity); copies, since updates are owned by the caller. */
export const identity = (): GradientTransformation<undefined> => stateless("identity", (grads) => cloneParams(grads))
