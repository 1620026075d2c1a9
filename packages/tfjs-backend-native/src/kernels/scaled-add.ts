import * as tf from "@tensorflow/tfjs-core"
import type { GradConfig } from "@tensorflow/tfjs-core"
import { NativeKernelError } from "../errors.js"
import { floats, sameShape } from "./channel-inputs.js"
import type { NativeKernelSpec } from "./spec.js"
import { output, sizeOf } from "./values.js"

/**
 * This backend's own kernel (no cpu twin) for the optimizers' `a + s * b` (weight decay,
 * momentum): {a, b, s} -> a + b * s, a and b float32 of one shape, s a float32 scalar (any
 * shape of one element). One pass where tfjs runs Multiply then Add, with their roundings (the
 * product to float first), so bit for bit the same. @samlab/core-tensor calls it by name where
 * it is registered for the active backend.
 */
export const scaledAddKernelName = "SamlabScaledAdd"

export const scaledAddKernel: NativeKernelSpec = {
  kernelName: scaledAddKernelName,
  own: true,
  run: ({ inputs, backend }, addon) => {
    const k = scaledAddKernelName
    const a = floats(k, backend, inputs["a"], "a")
    const b = floats(k, backend, inputs["b"], "b")
    sameShape(k, inputs["a"]!, inputs["b"]!, "b")
    const s = floats(k, backend, inputs["s"], "s")
    if (s.length !== 1) throw new NativeKernelError(k, `"s" must have one element, got shape [${inputs["s"]!.shape.join(", ")}]`)
    const values = backend.allocFloat32(sizeOf(inputs["a"]!.shape))
    addon.scaledAdd(a, b, s[0]!, values)
    return output(backend, inputs["a"]!.shape, values)
  }
}

/** d/da = dy, d/db = dy s, d/ds = sum(dy b) (tfjs ops), for a model differentiated through it. */
export const scaledAddGradients: readonly GradConfig[] = [
  {
    kernelName: scaledAddKernelName,
    inputsToSave: ["b", "s"],
    gradFunc: (dy, saved) => {
      const [b, s] = saved as [tf.Tensor, tf.Tensor]
      const g = dy as tf.Tensor
      return { a: () => g, b: () => tf.mul(g, s), s: () => tf.reshape(tf.sum(tf.mul(g, b)), s.shape) }
    }
  }
]
