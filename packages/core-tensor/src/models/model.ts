import type * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../params/params.js"
import type { Rng } from "../random/rng.js"

/** What one forward pass produces. */
export interface ModelOutput {
  /** [batch, numClasses] */
  readonly logits: tf.Tensor2D
  /** The input of the last linear layer, [batch, featureDim]. */
  readonly features: tf.Tensor2D
  /** Named intermediate activations (each layer's output, by layer name), for any-layer regularizers and analysis. */
  readonly activations: Readonly<Record<string, tf.Tensor>>
  /** Non-trainable state after this pass (batch-norm moving statistics); the input state when not training. */
  readonly state: Params
}

export interface ApplyOptions {
  /** Training mode: batch norm uses batch statistics and returns updated moving statistics. */
  readonly training: boolean
  /** Non-trainable state (from `initState` or a previous pass). */
  readonly state?: Params
}

/**
 * A model is a pure function of explicit parameters with a features/head split:
 * `logits = features(x; params) @ params[headWeight] + params[headBias]`.
 * Inputs are NHWC images `[batch, 32, 32, 3]` or already-flat `[batch, d]`; models that
 * need flat inputs flatten them.
 */
export interface Model {
  readonly name: string
  readonly numClasses: number
  /** Shape of one input example, e.g. [32, 32, 3] or [3072]. */
  readonly inputShape: readonly number[]
  readonly featureDim: number
  /** Key of the head's weight matrix [featureDim, numClasses] in the params. */
  readonly headWeight: string
  /** Key of the head's bias, when it has one. */
  readonly headBias: string | undefined
  /** Trainable parameters, drawn from `rng` (same seed, same numbers on every backend). */
  init(rng: Rng): Params
  /** Non-trainable state (empty for models without batch norm). */
  initState(): Params
  apply(params: Params, x: tf.Tensor, options: ApplyOptions): ModelOutput
}
