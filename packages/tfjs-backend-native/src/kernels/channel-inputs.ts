import * as tf from "@tensorflow/tfjs-core"
import type { NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core"
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import { NativeKernelError } from "../errors.js"
import { sizeOf } from "./values.js"

/**
 * Input checks of the per-channel kernels (batch norm, bias + ReLU): a float32 tensor seen as
 * [rows, channels], channels its last axis, and per-channel vectors of `channels` elements.
 * They throw (these kernels have no cpu twin to decline to).
 */

/** The float32 values of `t`, in place when they are stored as a Float32Array (else a copy). */
export const floats = (kernel: string, backend: MathBackendCPU, t: TensorInfo | undefined, name: string): Float32Array => {
  if (t === undefined) throw new NativeKernelError(kernel, `input "${name}" is missing`)
  if (t.dtype !== "float32") throw new NativeKernelError(kernel, `input "${name}" must be float32, got ${t.dtype}`)
  const values = backend.data.get(t.dataId).values
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>)
}

/** [rows, channels] of a full-size operand: channels is the last axis. */
export const geometry = (kernel: string, x: TensorInfo): { rows: number; channels: number } => {
  const channels = x.shape[x.shape.length - 1]
  if (channels === undefined || channels < 1)
    throw new NativeKernelError(kernel, `needs a last (channel) axis of at least 1, got shape [${x.shape.join(", ")}]`)
  return { rows: sizeOf(x.shape) / channels, channels }
}

export const sameShape = (kernel: string, x: TensorInfo, other: TensorInfo, name: string): void => {
  if (!tf.util.arraysEqual(x.shape, other.shape))
    throw new NativeKernelError(kernel, `"${name}" has shape [${other.shape.join(", ")}], expected x's [${x.shape.join(", ")}]`)
}

/**
 * A backward kernel's full-size operand `name` and the gradient `dy` of its shape: both
 * values (checked as `floats` checks them), the shape check, and the operand's [rows, channels].
 */
export const withGradient = (
  kernel: string,
  backend: MathBackendCPU,
  inputs: NamedTensorInfoMap,
  name: string
): { operand: TensorInfo; values: Float32Array; dy: Float32Array; rows: number; channels: number } => {
  const operand = inputs[name]
  const values = floats(kernel, backend, operand, name)
  const dy = floats(kernel, backend, inputs["dy"], "dy")
  sameShape(kernel, operand!, inputs["dy"]!, "dy")
  return { operand: operand!, values, dy, ...geometry(kernel, operand!) }
}

/** Every axis but the last (the channel axis): what a per-channel gradient sums over. */
export const leadingAxes = (t: TensorInfo): number[] => Array.from({ length: t.shape.length - 1 }, (_, i) => i)

export const perChannel = (kernel: string, backend: MathBackendCPU, t: TensorInfo | undefined, name: string, channels: number): Float32Array => {
  const values = floats(kernel, backend, t, name)
  if (t !== undefined && sizeOf(t.shape) !== channels)
    throw new NativeKernelError(kernel, `"${name}" must have ${channels} elements (one per channel), got shape [${t.shape.join(", ")}]`)
  return values
}
