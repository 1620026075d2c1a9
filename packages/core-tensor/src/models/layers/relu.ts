import * as tf from "@tensorflow/tfjs-core"
import { backendHasKernels, runOwnKernel } from "../../backend/own-kernels.js"

/**
 * Kernels that backends may provide for a ReLU over the last (channel) axis, by name
 * (@samlab/tfjs-backend-native registers them for "native"): one pass each over the
 * full-size tensors. {x, bias} -> relu(x + bias); {dy, y} -> dy step(y), the gradient read
 * from the output y = relu(x); {dy, y} -> [dy step(y), its sum per channel]. Where any is
 * missing the layers run tfjs's ops (Add + Relu forward, Step + Multiply + Sum backward).
 */
export const reluKernelNames = {
  biasRelu: "SamlabBiasRelu",
  reluGrad: "SamlabReluGrad",
  biasReluGrad: "SamlabBiasReluGrad"
} as const

/** tf.relu whose gradient is one kernel reading the saved output. */
const reluOnePassGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc]
  const value = tf.relu(x)
  save([value])
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => runOwnKernel(reluKernelNames.reluGrad, { dy: dy as tf.Tensor, y: saved[0]! }) as tf.Tensor
  }
})

/** relu(x + bias) as one kernel, its gradient (dx and the bias's) as one more. */
const biasReluFused = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, bias, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc]
  const value = runOwnKernel(reluKernelNames.biasRelu, { x, bias }) as tf.Tensor
  save([value])
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [dx, dBias] = runOwnKernel(reluKernelNames.biasReluGrad, { dy: dy as tf.Tensor, y: saved[0]! }) as [tf.Tensor, tf.Tensor]
      return [dx, tf.reshape(dBias, bias.shape)]
    }
  }
})

/** `tf.relu(x)`; on backends with the ReLU kernels its gradient is one pass instead of two. */
export const relu = <T extends tf.Tensor>(x: T): T => (backendHasKernels(reluKernelNames.reluGrad) ? (reluOnePassGrad(x) as T) : tf.relu(x))

/**
 * `tf.relu(tf.add(x, bias))` for a bias over x's last axis; on backends with the ReLU kernels
 * one pass forward and one backward (which also gives the bias's gradient).
 */
export const biasRelu = <T extends tf.Tensor>(x: T, bias: tf.Tensor): T =>
  backendHasKernels(reluKernelNames.biasRelu, reluKernelNames.biasReluGrad) ? (biasReluFused(x, bias) as T) : tf.relu(tf.add<T>(x, bias))
