import * as tf from "@tensorflow/tfjs-core"

/**
 * Kernels a backend may register beyond tfjs's own (@samlab/tfjs-backend-native's fused passes),
 * called by name where the layers and parameter maths would otherwise run several tfjs ops.
 */

/** True when the active backend registers every named kernel (checked per call: the backend can change). */
export const backendHasKernels = (...names: readonly string[]): boolean => {
  const backend = tf.getBackend()
  return names.every((name) => tf.getKernel(name, backend) !== undefined)
}

/** Runs a backend's own kernel by name; tfjs records it on the tape like any op. */
export const runOwnKernel = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor | tf.Tensor[] =>
  tf.engine().runKernel(name, inputs, attrs)
