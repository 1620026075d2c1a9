import * as tf from "@tensorflow/tfjs-core"
import { ModelInputError } from "../errors.js"

/**
 * An NHWC batch [batch, h, w, c] as given, or a flat [batch, h * w * c] batch reshaped to it
 * (flat input is read in row-major (h, w, c) order, the inverse of flattening an NHWC image).
 */
export const imageInput = (x: tf.Tensor, shape: readonly [number, number, number], model: string): tf.Tensor4D => {
  const [h, w, c] = shape
  if (x.rank === 4 && x.shape[1] === h && x.shape[2] === w && x.shape[3] === c) return x as tf.Tensor4D
  if (x.rank === 2 && x.shape[1] === h * w * c) return tf.reshape(x, [x.shape[0]!, h, w, c])
  throw new ModelInputError(model, `[batch, ${h}, ${w}, ${c}] or [batch, ${h * w * c}]`, x.shape)
}
