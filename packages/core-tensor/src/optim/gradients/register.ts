import * as tf from "@tensorflow/tfjs-core"
import { gradConfigs, tfjsCoreVersion } from "./tfjs-gradients.generated.js"

/** The @tensorflow/tfjs-core version whose gradient functions this build carries. */
export const gradientsTfjsCoreVersion: string = tfjsCoreVersion

/**
 * Registers tfjs-core's gradient function for every kernel that has none yet and returns
 * those kernels' names. A gradient registered before (by you, by tfjs-layers, by a tfjs
 * bundle) is kept: tfjs-core's Node entry registers none, so without this `tf.grad` fails
 * with "gradient function not found for Sum".
 */
export const registerMissingGradients = (): string[] => {
  const missing = gradConfigs.filter((c) => tf.getGradient(c.kernelName) === undefined)
  for (const c of missing) tf.registerGradient(c)
  return missing.map((c) => c.kernelName)
}

// The side effect of importing core-tensor (listed in package.json "sideEffects").
registerMissingGradients()
