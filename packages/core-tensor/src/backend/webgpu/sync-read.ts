import * as tf from "@tensorflow/tfjs-core"
import { pumpDawnUntil } from "./dawn.js"

/**
 * tfjs's webgpu backend reads a GPU tensor synchronously (`dataSync`, which every samlab
 * method uses for its loss) through an OffscreenCanvas, which Node has not. In Node this
 * replaces that path: copy to a staging buffer, map it, and run Dawn's event processing
 * until the map settles (the same copy and map that the backend's async `read` makes).
 */

interface TensorData {
  values: tf.backend_util.BackendValues | null
  dtype: tf.DataType
  resource: StagingBuffer
}
interface StagingBuffer {
  readonly size: number
  readonly mapState: "unmapped" | "pending" | "mapped"
  mapAsync(mode: number): Promise<void>
  getMappedRange(): ArrayBuffer
  unmap(): void
}
interface WebGpuBackendInternals {
  tensorMap: { get(dataId: object): TensorData }
  bufferManager: { acquireBuffer(size: number, usage: number): StagingBuffer; releaseBuffer(b: StagingBuffer): void }
  commandEncoder: { copyBufferToBuffer(src: StagingBuffer, srcOffset: number, dst: StagingBuffer, dstOffset: number, size: number): void }
  ensureCommandEncoderReady(): void
  endComputePassEncoder(): void
  submitQueue(): void
  convertAndCacheOnCPU(dataId: object, values: tf.backend_util.BackendValues): void
  readSync(dataId: object): tf.backend_util.BackendValues
}

const globals = globalThis as unknown as { GPUBufferUsage: { COPY_DST: number; MAP_READ: number }; GPUMapMode: { READ: number } }

/** Thrown when a synchronous read cannot complete; the async `data()` still works. */
export class WebGpuSyncReadError extends Error {
  override readonly name = "WebGpuSyncReadError"
}

const readBufferSync = (backend: WebGpuBackendInternals, buffer: StagingBuffer): ArrayBuffer => {
  const staging = backend.bufferManager.acquireBuffer(buffer.size, globals.GPUBufferUsage.COPY_DST | globals.GPUBufferUsage.MAP_READ)
  backend.ensureCommandEncoderReady()
  backend.endComputePassEncoder()
  backend.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size)
  backend.submitQueue()
  // the promise settles on a later turn of the event loop; its rejection is reported by mapState
  staging.mapAsync(globals.GPUMapMode.READ).catch(() => {})
  try {
    if (!pumpDawnUntil(() => staging.mapState !== "pending"))
      throw new WebGpuSyncReadError("webgpu: no Dawn event tick to wait on (synchronous reads need the webgpu npm package in Node)")
    if (staging.mapState !== "mapped") throw new WebGpuSyncReadError("webgpu: mapping a staging buffer for a synchronous read failed")
    const values = staging.getMappedRange().slice(0)
    staging.unmap()
    return values
  } finally {
    backend.bufferManager.releaseBuffer(staging)
  }
}

/** Replaces the webgpu backend's canvas-based `readSync` with a staging-buffer read (Node only). */
export const patchReadSync = (backend: object): void => {
  const proto = Object.getPrototypeOf(backend) as WebGpuBackendInternals & { samlabSyncRead?: true }
  if (proto.samlabSyncRead) return
  const original = proto.readSync
  proto.readSync = function (this: WebGpuBackendInternals, dataId: object) {
    const data = this.tensorMap.get(dataId)
    if (data.values != null || data.dtype === "string" || data.dtype === "complex64") return original.call(this, dataId)
    const values = tf.util.convertBackendValuesAndArrayBuffer(readBufferSync(this, data.resource), data.dtype)
    this.convertAndCacheOnCPU(dataId, values)
    return values
  }
  proto.samlabSyncRead = true
}
