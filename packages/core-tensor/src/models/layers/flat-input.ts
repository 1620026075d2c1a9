import type * as tf from "@tensorflow/tfjs-core"
import { ModelInputError } from "../errors.js"
import { flatten, product } from "./flatten.js"

/**
 * Any input [batch, ...rest] with prod(rest) = `dim`, as a new [batch, dim] tensor (always a
 * new handle, even for flat input, so disposing a model's features never frees the caller's input).
 */
export const flatInput = (x: tf.Tensor, dim: number, model: string): tf.Tensor2D => {
  if (x.rank < 2 || product(x.shape.slice(1)) !== dim) throw new ModelInputError(model, `[batch, ...] with ${dim} values per example`, x.shape)
  return flatten(x)
}
