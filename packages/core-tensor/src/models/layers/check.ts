import type * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../../params/params.js"
import { ModelInputError, ModelParamError } from "../errors.js"

/** The tensor `key` of `params`, checked to have `shape` (what `apply` relies on). */
export const requireTensor = (params: Params, key: string, shape: readonly number[], model: string, what = "parameter"): tf.Tensor => {
  const t = params[key]
  if (t === undefined) throw new ModelParamError(model, key, `is missing from the ${what}s (have: ${Object.keys(params).join(", ") || "none"})`)
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ModelParamError(model, key, `has shape [${t.shape.join(", ")}] where [${shape.join(", ")}] was expected`)
  }
  return t
}

/** Checks every listed parameter before a forward pass, so a wrong set fails by name, not deep in a kernel. */
export const requireShapes = (params: Params, shapes: ReadonlyArray<readonly [string, readonly number[]]>, model: string, what = "parameter"): void => {
  for (const [key, shape] of shapes) requireTensor(params, key, shape, model, what)
}

/** `[batch, ...exampleShape]` check for any input rank. */
export const requireBatchOf = (x: tf.Tensor, exampleShape: readonly number[], model: string): void => {
  const ok = x.rank === exampleShape.length + 1 && exampleShape.every((d, i) => x.shape[i + 1] === d)
  if (!ok) throw new ModelInputError(model, `[batch, ${exampleShape.join(", ")}]`, x.shape)
}
