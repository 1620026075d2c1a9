import * as tf from "@tensorflow/tfjs-core"
import { backend_util, util, type TensorInfo } from "@tensorflow/tfjs-core"
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
