import type * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../../params/params.js"
import { ModelParamError } from "../errors.js"

/** The tensor `key` of `params`, checked to have `shape` (what `apply` relies on). */
export const requireTensor = (params: Params, key: string, shape: readonly number[], model: string, what = "parameter"): tf.Tensor => {
  const t = params[key]
  if (t === undefined) throw new ModelParamError(model, key, `is missing from the ${what}s (have: ${describeKeys(Object.keys(params))})`)
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ModelParamError(model, key, `has shape [${t.shape.join(", ")}] where [${shape.join(", ")}] was expected`)
  }
  return t
}

/** Checks every listed parameter before a forward pass, so a wrong set fails by name, not deep in a kernel. */
export const requireShapes = (params: Params, shapes: ReadonlyArray<readonly [string, readonly number[]]>, model: string, what = "parameter"): void => {
  for (const [key, shape] of shapes) requireTensor(params, key, shape, model, what)
}

const describeKeys = (keys: readonly string[]): string =>
  keys.length === 0 ? "none" : keys.length <= 6 ? keys.join(", ") : `${keys.slice(0, 6).join(", ")} and ${keys.length - 6} more`
