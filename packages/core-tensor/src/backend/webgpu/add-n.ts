import * as tf from "@tensorflow/tfjs-core"

/**
 * tfjs's webgpu AddN binds every input as a storage buffer in one shader, so beyond the
 * device's `maxStorageBuffersPerShaderStage` (8 by default) the pipeline is invalid and the
 * sum comes back wrong (`globalNorm` over ResNet-18's 62 parameters, for one). This AddN
 * sums groups that fit (the output takes one binding) and then the group sums, as tfjs's
 * own Concat does.
 */
export const registerChunkedAddN = (backend: tf.KernelBackend & { device?: { limits: { maxStorageBuffersPerShaderStage: number } } }): void => {
  const registered = tf.getKernel(tf.AddN, "webgpu")
  if (registered === undefined || (registered as { samlabChunked?: true }).samlabChunked) return
  const original = registered.kernelFunc
  const perShader = Math.max(2, (backend.device?.limits.maxStorageBuffersPerShaderStage ?? 8) - 1)
  const kernelFunc: tf.KernelFunc = ({ inputs, backend: b, attrs }) => {
    let terms = inputs as unknown as tf.TensorInfo[]
    const partial: tf.TensorInfo[] = []
    while (terms.length > perShader) {
      const next: tf.TensorInfo[] = []
      for (let i = 0; i < terms.length; i += perShader) {
        const group = terms.slice(i, i + perShader)
        if (group.length === 1) next.push(group[0]!)
        else {
          const sum = original({ inputs: group as unknown as tf.NamedTensorInfoMap, backend: b, attrs }) as tf.TensorInfo
          partial.push(sum)
          next.push(sum)
        }
      }
      terms = next
    }
    const out = original({ inputs: terms as unknown as tf.NamedTensorInfoMap, backend: b, attrs })
    for (const t of partial) (b as tf.KernelBackend).disposeData(t.dataId)
    return out
  }
  tf.unregisterKernel(tf.AddN, "webgpu")
  tf.registerKernel({ ...registered, kernelFunc, samlabChunked: true } as tf.KernelConfig)
}
