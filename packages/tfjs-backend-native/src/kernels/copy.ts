import * as tf from "@tensorflow/tfjs-core"
import { backend_util, slice_util, util, type NamedAttrMap, type TensorInfo } from "@tensorflow/tfjs-core"
import type { CopyArray } from "../addon.js"
import type { NativeBackend } from "../backend.js"
import type { NativeKernelSpec } from "./spec.js"
import { sizeOf } from "./values.js"

// Slice, PadV2, Tile, Concat and SplitV as strided block copies in the addon (native/src/copy.h),
// for float32, int32 and bool tensors stored as the cpu backend stores them. Copies are exact,
// so results are the cpu kernels' bit for bit.

/** The typed array the cpu backend stores each copyable dtype in. */
const storage = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const
type CopyDtype = keyof typeof storage

/** The addon's rank limit (kMaxCopyRank) for Slice and PadV2; Concat and SplitV have none. */
const maxRank = 8

const isCopyDtype = (dtype: string): dtype is CopyDtype => dtype === "float32" || dtype === "int32" || dtype === "bool"

/**
 * The tensor's values in place, or undefined where the addon declines them: other dtypes
 * (complex64, string), and arrays of another type (a float32 tensor sharing an int32 array
 * after the cpu kernel's Cast).
 */
const copyable = (backend: NativeBackend, t: TensorInfo): CopyArray | undefined => {
  if (!isCopyDtype(t.dtype)) return undefined
  const values = backend.data.get(t.dataId).values
  return values instanceof storage[t.dtype] ? values : undefined
}

/** A pooled output array of `length` elements of `dtype` (contents stale). */
const allocOf = (backend: NativeBackend, dtype: CopyDtype, length: number): CopyArray =>
  dtype === "float32" ? backend.allocFloat32(length) : dtype === "int32" ? backend.allocInt32(length) : backend.allocBool(length)

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0

/** Slice's begin and size as tfjs resolves them (size -1: to the end), or undefined where the cpu kernel raises tfjs's error. */
const sliceParams = (x: TensorInfo, attrs: NamedAttrMap): [number[], number[]] | undefined => {
  try {
    const [begin, size] = slice_util.parseSliceParams(x, attrs["begin"] as number | number[], attrs["size"] as number | number[] | undefined) as [
      number[],
      number[]
    ]
    slice_util.assertParamsValid(x, begin, size)
    return begin.every(isCount) && size.every(isCount) ? [begin, size] : undefined
  } catch {
    return undefined
  }
}

export const sliceKernel: NativeKernelSpec = {
  kernelName: tf.Slice,
  run: ({ inputs, backend, attrs }, addon) => {
    const { x } = inputs as { x: TensorInfo }
    const values = copyable(backend, x)
    const params = sliceParams(x, attrs)
    if (values === undefined || params === undefined || x.shape.length > maxRank) return undefined
    const [begin, size] = params
    // A contiguous slice is a view of x on the cpu kernel: no copy at all.
    if (slice_util.isSliceContinous(x.shape, begin, size)) return undefined
    const out = allocOf(backend, x.dtype as CopyDtype, sizeOf(size))
    addon.slice(values, out, Int32Array.from(x.shape), Int32Array.from(begin), Int32Array.from(size))
    return backend.makeTensorInfo(size, x.dtype, out)
  }
}

export const padKernel: NativeKernelSpec = {
  kernelName: tf.PadV2,
  run: ({ inputs, backend, attrs }, addon) => {
    const { x } = inputs as { x: TensorInfo }
    const values = copyable(backend, x)
    const paddings = attrs["paddings"] as Array<[number, number]>
    const rank = x.shape.length
    if (values === undefined || rank > maxRank || paddings.length !== rank || !paddings.every(([b, a]) => isCount(b) && isCount(a))) return undefined
    const outShape = paddings.map(([before, after], d) => before + x.shape[d]! + after)
    const out = allocOf(backend, x.dtype as CopyDtype, sizeOf(outShape))
    // Converted as the cpu kernel's fill converts it (rounded to float32, ToInt32, ToUint8);
    // it fills only a nonzero constant, so -0 leaves +0.
    const constant = Number(attrs["constantValue"] ?? 0)
    const value = storage[x.dtype as CopyDtype].of(constant === 0 ? 0 : constant)
    addon.pad(
      values,
      out,
      Int32Array.from(x.shape),
      Int32Array.from(paddings, (p) => p[0]),
      Int32Array.from(paddings, (p) => p[1]),
      value
    )
    return backend.makeTensorInfo(outShape, x.dtype, out)
  }
}

/** The addon's rank limit for Tile: each dimension becomes two (repeat and index) of at most kMaxCopyRank. */
const maxTileRank = maxRank / 2

export const tileKernel: NativeKernelSpec = {
  kernelName: tf.Tile,
  run: ({ inputs, backend, attrs }, addon) => {
    const { x } = inputs as { x: TensorInfo }
    const values = copyable(backend, x)
    const reps = attrs["reps"] as number[]
    const rank = x.shape.length
    // the cpu kernel raises tfjs's errors for bad reps
    if (values === undefined || rank > maxTileRank || !Array.isArray(reps) || reps.length !== rank || !reps.every(isCount)) return undefined
    const outShape = x.shape.map((d, i) => d * reps[i]!)
    const out = allocOf(backend, x.dtype as CopyDtype, sizeOf(outShape))
    addon.tile(values, out, Int32Array.from(x.shape), Int32Array.from(reps))
    return backend.makeTensorInfo(outShape, x.dtype, out)
  }
}

/** Sizes of [outer, axis, inner] of `shape` around `axis`. */
const aroundAxis = (shape: readonly number[], axis: number): { outer: number; inner: number } => ({
  outer: sizeOf(shape.slice(0, axis)),
  inner: sizeOf(shape.slice(axis + 1))
})

export const concatKernel: NativeKernelSpec = {
  kernelName: tf.Concat,
  run: ({ inputs, backend, attrs }, addon) => {
    const tensors = inputs as unknown as TensorInfo[]
    const first = tensors[0]
    if (first === undefined || first.shape.length === 0) return undefined
    const axis = util.parseAxisParam(attrs["axis"] as number, first.shape)[0]!
    const values = tensors.map((t) => (t.dtype === first.dtype ? copyable(backend, t) : undefined))
    // Shapes that do not fit together are the cpu kernel's to reject.
    const fits = tensors.every((t) => t.shape.length === first.shape.length && t.shape.every((d, i) => i === axis || d === first.shape[i]))
    if (!fits || values.some((v) => v === undefined)) return undefined
    const sizes = tensors.map((t) => t.shape[axis]!)
    const outShape = first.shape.map((d, i) => (i === axis ? sizes.reduce((a, b) => a + b, 0) : d))
    // An empty output, or one non-empty input (the cpu kernel shares its array): nothing to copy.
    if (sizeOf(outShape) === 0 || tensors.filter((t) => sizeOf(t.shape) > 0).length === 1) return undefined
    const { outer, inner } = aroundAxis(first.shape, axis)
    const out = allocOf(backend, first.dtype as CopyDtype, sizeOf(outShape))
    addon.concat(values as CopyArray[], out, outer, inner, Int32Array.from(sizes))
    return backend.makeTensorInfo(outShape, first.dtype, out)
  }
}

/** SplitV's axis and part sizes as tfjs resolves them (one size -1: the rest), or undefined where the cpu kernel raises tfjs's error. */
const splitParams = (x: TensorInfo, attrs: NamedAttrMap): { axis: number; sizes: number[] } | undefined => {
  try {
    const axis = util.parseAxisParam(attrs["axis"] as number, x.shape)[0]!
    const spec = attrs["numOrSizeSplits"] as number | number[]
    // prepareSplitSize writes the resolved -1 into the array it is given; keep the attribute as it was.
    const sizes = backend_util.prepareSplitSize(x, Array.isArray(spec) ? [...spec] : spec, axis)
    return sizes.every(isCount) ? { axis, sizes } : undefined
  } catch {
    return undefined
  }
}

export const splitVKernel: NativeKernelSpec = {
  kernelName: tf.SplitV,
  run: ({ inputs, backend, attrs }, addon) => {
    const { x } = inputs as { x: TensorInfo }
    const values = copyable(backend, x)
    const params = values === undefined || x.shape.length === 0 ? undefined : splitParams(x, attrs)
    if (values === undefined || params === undefined) return undefined
    const { axis, sizes } = params
    const { outer, inner } = aroundAxis(x.shape, axis)
    // Nothing outside the axis: every part is contiguous, a view of x on the cpu kernel.
    if (outer === 1) return undefined
    const shapes = sizes.map((s) => x.shape.map((d, i) => (i === axis ? s : d)))
    const outs = shapes.map((shape) => allocOf(backend, x.dtype as CopyDtype, sizeOf(shape)))
    addon.split(values, outs, outer, inner, Int32Array.from(sizes))
    return outs.map((out, i) => backend.makeTensorInfo(shapes[i]!, x.dtype, out))
  }
}

/** The data-movement kernels: Slice, PadV2, Concat, SplitV. */
export const copyKernels: readonly NativeKernelSpec[] = [sliceKernel, padKernel, tileKernel, concatKernel, splitVKernel]
