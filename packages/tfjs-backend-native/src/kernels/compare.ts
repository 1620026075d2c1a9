import * as tf from "@tensorflow/tfjs-core"
import { util, type DataType, type TensorInfo } from "@tensorflow/tfjs-core"
import { CompareOp, LogicalOp } from "./codes.js"
import { broadcastOf } from "./elementwise.js"
import type { NativeKernelSpec } from "./spec.js"
import { f32, nativeBool, nativeFloat32, output, outputAs, sizeOf, u8 } from "./values.js"

// Bool tensors are Uint8Arrays of 0 and 1, as the cpu backend stores them, so their outputs
// and the cpu kernels' are interchangeable. The arrays come from the backend's pool (views of
// recycled Float32Arrays).

const compareKernel = (kernelName: string, op: CompareOp): NativeKernelSpec => ({
  kernelName,
  run: ({ inputs, backend }, addon) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo }
    if (!nativeFloat32(backend, a, b)) return undefined
    const g = broadcastOf(a.shape, b.shape)
    if (g === undefined) return undefined
    const values = backend.allocBool(g.size)
    addon.compare(op, f32(backend, a), f32(backend, b), values, g.shape, g.aStrides, g.bStrides)
    return outputAs(backend, g.outShape, "bool", values)
  }
})

/** Float32 comparisons to bool with NumPy broadcasting (NaN compares false, and not-equal to everything). */
export const compareKernels: readonly NativeKernelSpec[] = [
  compareKernel(tf.Greater, CompareOp.Greater),
  compareKernel(tf.GreaterEqual, CompareOp.GreaterEqual),
  compareKernel(tf.Less, CompareOp.Less),
  compareKernel(tf.LessEqual, CompareOp.LessEqual),
  compareKernel(tf.Equal, CompareOp.Equal),
  compareKernel(tf.NotEqual, CompareOp.NotEqual)
]

const logicalKernel = (kernelName: string, op: LogicalOp): NativeKernelSpec => ({
  kernelName,
  run: ({ inputs, backend }, addon) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo }
    if (!nativeBool(backend, a, b)) return undefined
    const g = broadcastOf(a.shape, b.shape)
    if (g === undefined) return undefined
    const values = backend.allocBool(g.size)
    addon.logical(op, u8(backend, a), u8(backend, b), values, g.shape, g.aStrides, g.bStrides)
    return outputAs(backend, g.outShape, "bool", values)
  }
})

/** Bool LogicalAnd, LogicalOr (NumPy broadcasting) and LogicalNot. */
export const logicalKernels: readonly NativeKernelSpec[] = [
  logicalKernel(tf.LogicalAnd, LogicalOp.And),
  logicalKernel(tf.LogicalOr, LogicalOp.Or),
  {
    kernelName: tf.LogicalNot,
    run: ({ inputs, backend }, addon) => {
      const { x } = inputs as { x: TensorInfo }
      const n = sizeOf(x.shape)
      if (!nativeBool(backend, x) || n === 0) return undefined
      const values = backend.allocBool(n)
      addon.logicalNot(u8(backend, x), values)
      return outputAs(backend, x.shape, "bool", values)
    }
  }
]

/**
 * Cast, where the cpu kernel would convert or where its result would keep a float32 tensor
 * off the native kernels:
 * - to float32: a Float32Array is shared (the cpu kernel's alias); bool and int32 storage is
 *   converted into a Float32Array (the cpu kernel shares the Uint8Array or Int32Array, which
 *   every float32 native kernel then declines). Int32 values float32 cannot hold exactly are
 *   left to the cpu kernel, which keeps them.
 * - float32 to int32 (JavaScript's ToInt32, as `Int32Array.from`), float32 or int32 to bool (x != 0).
 * The rest (complex64, string, int32 or bool to int32, bool to bool) are the cpu kernel's,
 * mostly aliases that cost nothing.
 */
export const castKernel: NativeKernelSpec = {
  kernelName: tf.Cast,
  run: ({ inputs, backend, attrs }, addon) => {
    const { x } = inputs as { x: TensorInfo }
    const dtype = attrs["dtype"] as DataType
    if (x.dtype !== "float32" && x.dtype !== "int32" && x.dtype !== "bool") return undefined
    const values = backend.data.get(x.dataId).values
    if (!(values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array)) return undefined
    const n = sizeOf(x.shape)
    if (n === 0 || values.length !== n) return undefined
    if (dtype === "float32") {
      if (values instanceof Float32Array) {
        backend.incRef(x.dataId)
        return { dataId: x.dataId, shape: x.shape, dtype }
      }
      const out = backend.allocFloat32(n)
      const inexact = addon.cast(values, out)
      const result = output(backend, x.shape, out)
      if (inexact === 0) return result
      backend.disposeIntermediateTensorInfo(result)
      return undefined
    }
    if (dtype === "int32" && x.dtype === "float32") {
      const out = backend.allocInt32(n)
      addon.cast(values, out)
      return outputAs(backend, x.shape, "int32", out)
    }
    if (dtype === "bool" && x.dtype !== "bool") {
      const out = backend.allocBool(n)
      addon.cast(values, out)
      return outputAs(backend, x.shape, "bool", out)
    }
    return undefined
  }
}

/** Select (tf.where, whose op broadcasts all three to one shape first): bool condition, float32 branches. */
export const selectKernel: NativeKernelSpec = {
  kernelName: tf.Select,
  run: ({ inputs, backend }, addon) => {
    const { condition, t, e } = inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo }
    const n = sizeOf(t.shape)
    if (n === 0 || !nativeBool(backend, condition) || !nativeFloat32(backend, t, e)) return undefined
    // The cpu kernel's rank-1 condition over rows of t is not what tf.where passes; leave it to it.
    if (!util.arraysEqual(condition.shape, t.shape) || !util.arraysEqual(e.shape, t.shape)) return undefined
    const values = backend.allocFloat32(n)
    addon.select(u8(backend, condition), f32(backend, t), f32(backend, e), values)
    return output(backend, t.shape, values)
  }
}
