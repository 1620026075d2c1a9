import type * as tf from "@tensorflow/tfjs-core"
import type { Params } from "@samlab/core-tensor"

/**
 * What a SAM-family method hands to the base optimizer, before the base step: the method's
 * gradient `g`, the mean loss at the unperturbed `w`, and the model state of the
 * unperturbed pass (undefined when the forward gives none). Tensors owned by the caller.
 */
export interface MethodGradient {
  readonly grad: Params
  readonly loss: tf.Scalar
  readonly modelState: Params | undefined
  /** SANER only: the share of coordinates in group B. */
  readonly groupBShare?: tf.Scalar
}
