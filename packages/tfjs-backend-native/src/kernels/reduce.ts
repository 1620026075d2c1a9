import * as tf from "@tensorflow/tfjs-core"
import { backend_util, util, type GradConfig, type TensorInfo } from "@tensorflow/tfjs-core"
import { floats } from "./channel-inputs.js"
import { ReduceOp } from "./codes.js"
import type { NativeKernelSpec } from "./spec.js"
import { f32, nativeFloat32, output, sizeOf } from "./values.js"

/**
 * Reductions over a contiguous run of axes, seen as [outer, reduce, inner]; other axis sets
 * (which the cpu kernel handles with a transpose) fall back to it.
 */
const reduceKernel = (kernelName: string, op: ReduceOp, axisAttr: string): NativeKernelSpec => ({
  kernelName,
  run: ({ inputs, backend, attrs }, addon) => {
    const { x } = inputs as { x: TensorInfo }
    if (!nativeFloat32(backend, x) || sizeOf(x.shape) === 0) return undefined
    const axes = [...util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape)].sort((p, q) => p - q)
    if (axes.length === 0 || axes.some((a, i) => i > 0 && a !== axes[i - 1]! + 1)) return undefined
    const first = axes[0]!,
      last = axes[axes.length - 1]!
    const outer = sizeOf(x.shape.slice(0, first)),
      reduceSize = sizeOf(x.shape.slice(first, last + 1)),
      inner = sizeOf(x.shape.slice(last + 1))
    const values = backend.allocFloat32(outer * inner)
    addon.reduce(op, f32(backend, x), values, outer, reduceSize, inner)
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes)
    return output(backend, attrs["keepDims"] ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape, values)
  }
})

export const reduceKernels: readonly NativeKernelSpec[] = [
  reduceKernel(tf.Sum, ReduceOp.Sum, "axis"),
  reduceKernel(tf.Max, ReduceOp.Max, "reductionIndices"),
  reduceKernel(tf.Min, ReduceOp.Min, "axis"),
  reduceKernel(tf.Mean, ReduceOp.Mean, "axis")
]

/**
 * This backend's own kernel (no cpu twin) for @samlab/core-tensor's `globalNorm`: inputs are
 * any number of float32 tensors of any shapes (passed as an array, like AddN's), the output the
 * float32 scalar L2 norm of all of them together, in one read-only pass where the ops take
 * seven (squares and sums, and the overflow-safe rescaled norm computed beside them). Squares
 * are summed in double, so nothing overflows or underflows before the one rounding to float;
 * NaN when any element is NaN or infinite, as `globalNorm`'s ops give.
 */
export const globalNormKernelName = "SamlabGlobalNorm"

export const globalNormKernel: NativeKernelSpec = {
  kernelName: globalNormKernelName,
  own: true,
  run: ({ inputs, backend }, addon) => {
    const tensors = Object.values(inputs)
    const values = tensors.map((t, i) => floats(globalNormKernelName, backend, t, String(i)))
    const out = backend.allocFloat32(1)
    addon.globalNorm(values, out)
    return output(backend, [], out)
  }
}

/** d||t|| / dt_i = t_i / ||t|| (NaN where the norm is 0, as tfjs's sqrt gradient at 0). */
export const globalNormGradients: readonly GradConfig[] = [
  {
    kernelName: globalNormKernelName,
    saveAllInputs: true,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const norm = saved[saved.length - 1]!
      const grads: Record<string, () => tf.Tensor> = {}
      saved.slice(0, -1).forEach((t, i) => {
        grads[i] = () => tf.mul(dy as tf.Tensor, tf.div(t, norm))
      })
      return grads
    }
  }
]
