import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import type { TensorInfo } from "@tensorflow/tfjs-core"

/** The tensor's storage, read in place (no copy). Only valid for float32 tensors. */
export const f32 = (backend: MathBackendCPU, t: TensorInfo): Float32Array => backend.data.get(t.dataId).values as Float32Array

/** True when every tensor is a non-empty float32 tensor stored as a Float32Array (what the addon takes). */
export const nativeFloat32 = (backend: MathBackendCPU, ...ts: ReadonlyArray<TensorInfo | undefined>): boolean =>
  ts.every((t) => t === undefined || (t.dtype === "float32" && backend.data.get(t.dataId).values instanceof Float32Array))

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** Wraps freshly computed values as the kernel's output; the backend takes ownership of `values`. */
export const output = (backend: MathBackendCPU, shape: readonly number[], values: Float32Array): TensorInfo =>
  backend.makeTensorInfo([...shape], "float32", values)
