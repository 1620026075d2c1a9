import type * as tf from "@tensorflow/tfjs-core"
import type { ForwardOutput } from "@samlab/core-tensor"
import { FeatureShapeError, MissingFeaturesError } from "./errors.js"

/**
 * The tensor that counts as the features: `output.features` (the penultimate layer) when
 * `layer` is undefined, else `output.activations[layer]`. Checked to be `[batch, ...]`.
 * Returns a tensor owned by `output`.
 */
export const selectFeatures = (output: ForwardOutput, layer: string | undefined, where: string): tf.Tensor => {
  const features = layer === undefined ? output.features : output.activations?.[layer]
  if (features === undefined) throw new MissingFeaturesError(where, layer, Object.keys(output.activations ?? {}))
  const batch = output.logits.shape[0]
  if (features.rank < 2 || features.shape[0] !== batch) throw new FeatureShapeError(where, layer, features.shape, batch)
  return features
}
