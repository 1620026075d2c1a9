import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import type { TensorInfo } from "@tensorflow/tfjs-core"

/** The tensor's storage, read in place (no copy). Only valid for float32 tensors. */
export const f32 = (backend: MathBackendCPU, t: TensorInfo): Float32Array => backend.data.get(t.dataId).values as Float32Array

/** True when every tensor is a non-empty float32 tensor stored as a Float32Array (what the addon takes). */
export const nativeFloat32 = (backend: MathBackendCPU, ...ts: ReadonlyArray<TensorInfo | undefined>): boolean =>
  ts.every((t) => t === undefined || (t.dtype === "float32" && backend.data.get(t.dataId).values instanceof Float32Array))

/** True when every tensor is a bool tensor stored as a Uint8Array (how tfjs stores bool). */
export const nativeBool = (backend: MathBackendCPU, ...ts: readonly TensorInfo[]): boolean =>
  ts.every((t) => t.dtype === "bool" && backend.data.get(t.dataId).values instanceof Uint8Array)

/** The tensor's storage, read in place (no copy). Only valid for bool tensors stored as Uint8Arrays. */
export const u8 = (backend: MathBackendCPU, t: TensorInfo): Uint8Array => backend.data.get(t.dataId).values as Uint8Array

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** Wraps freshly computed values as the kernel's output; the backend takes ownership of `values`. */
export const output = (backend: MathBackendCPU, shape: readonly number[], values: Float32Array): TensorInfo =>
  backend.makeTensorInfo([...shape], "float32", values)

/** `output` for a bool (Uint8Array) or int32 (Int32Array) result. */
export const outputAs = (backend: MathBackendCPU, shape: readonly number[], dtype: "bool" | "int32", values: Uint8Array | Int32Array): TensorInfo =>
  backend.makeTensorInfo([...shape], dtype, values)
