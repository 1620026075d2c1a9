import { scaleParams } from "../params/params.js"
import { OptimizerConfigError } from "./errors.js"
import { stateless } from "./stateless.js"
import type { GradientTransformation } from "./transform.js"

/** The gradients times a fixed `factor` (optax.scale); stateless. */
export const scale = (factor: number): GradientTransformation<undefined> => {
  if (!Number.isFinite(factor)) throw new OptimizerConfigError("scale", "factor", `must be a finite number, got ${factor}`)
  return stateless("scale", (grads) => scaleParams(grads, factor))
}
