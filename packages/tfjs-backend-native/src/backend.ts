import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import type { BackendValues, DataId, DataType } from "@tensorflow/tfjs-core"
import type { NativeAddon, NativeInfo } from "./addon.js"
import { Float32Pool, poolCapacityFromEnv } from "./memory/float32-pool.js"

/** What the backend knows about an ArrayBuffer it allocated for a kernel output. */
interface OwnedBuffer {
  /** The full array handed out (what goes back to the pool). */
  readonly array: Float32Array
  /** Data entries whose values live in this buffer (views from slice/split included). */
  live: number
  /** Read by the user (dataSync, data, array...): they may keep it, so it is never reused. */
  escaped: boolean
}

/**
 * The cpu backend's storage and every one of its kernels, with the hot kernels replaced by
 * the addon's. Tensors are plain Float32Arrays that the addon reads and writes in place.
 *
 * Native kernels take their outputs from `allocFloat32` (or `allocBool`/`allocInt32`, views of
 * the same pooled arrays), which recycles the arrays of disposed tensors: a buffer returns to the pool once no data entry refers to it any more
 * (counting views that inherited cpu kernels such as slice make of it) and only if its
 * values were never handed to the user.
 */
export class NativeBackend extends MathBackendCPU {
  private readonly owned = new WeakMap<ArrayBufferLike, OwnedBuffer>()
  private readonly pool = new Float32Pool(poolCapacityFromEnv())
  /** Test hook: fill reused arrays with NaN, so a kernel that leaves an element unwritten shows. */
  poisonRecycled = false
  private recycled = 0
  private freshBytes = 0
  /** Bytes of allocated outputs some data entry still refers to, and their peak (the pool's capacity follows it). */
  private liveBytes = 0
  private peakLiveBytes = 0

  constructor(readonly addon: NativeAddon) {
    super()
    // The cpu backend advises installing tfjs-node on its first write; that advice does not apply here.
    ;(this as unknown as { firstUse: boolean }).firstUse = false
  }

  /** SIMD level, GEMM micro-kernel and thread count of the addon. */
  nativeInfo(): NativeInfo {
    return this.addon.info()
  }

  /** A Float32Array of `length` for a kernel output that the kernel overwrites entirely (contents are stale). */
  allocFloat32(length: number): Float32Array {
    let array = this.pool.take(length)
    if (array === undefined) {
      array = new Float32Array(length)
      this.freshBytes += array.byteLength
    } else {
      this.recycled++
      if (this.poisonRecycled) array.fill(Number.NaN)
    }
    this.owned.set(array.buffer, { array, live: 0, escaped: false })
    this.liveBytes += array.byteLength
    if (this.liveBytes > this.peakLiveBytes) {
      this.peakLiveBytes = this.liveBytes
      // A quarter over the peak: arrays of one size freed while another is asked for make the
      // distinct arrays of a step a little more than its live peak.
      this.pool.growTo(this.peakLiveBytes * 1.25)
    }
    return array
  }

  /**
   * A Uint8Array of `length` for a bool output (tfjs stores bool tensors as Uint8Arrays of 0
   * and 1). When `length` is a multiple of 4 it views the whole buffer of a pooled
   * Float32Array of `length / 4`, tracked and recycled through that buffer like any other
   * output; otherwise it is a fresh array, since a view shorter than its buffer would carry
   * stray bytes into what reads the whole buffer (`tensor.bytes()`, tfjs's weight encoding).
   * Contents are stale.
   */
  allocBool(length: number): Uint8Array {
    if (length % 4 !== 0) return new Uint8Array(length)
    const array = this.allocFloat32(length / 4)
    return new Uint8Array(array.buffer, array.byteOffset, length)
  }

  /** An Int32Array of `length` for an int32 output, viewing a pooled Float32Array of the same length. Contents are stale. */
  allocInt32(length: number): Int32Array {
    const array = this.allocFloat32(length)
    return new Int32Array(array.buffer, array.byteOffset, length)
  }

  /** Recycling counters: arrays reused and bytes allocated fresh so far, bytes waiting on the free lists and the most they may hold. */
  poolStats(): { readonly reused: number; readonly freshBytes: number; readonly heldBytes: number; readonly capacityBytes: number } {
    return { reused: this.recycled, freshBytes: this.freshBytes, heldBytes: this.pool.heldBytes, capacityBytes: this.pool.capacityBytes }
  }

  private track(values: BackendValues | undefined, delta: number): void {
    if (values === undefined || !ArrayBuffer.isView(values)) return
    const owner = this.owned.get(values.buffer)
    if (owner === undefined) return
    owner.live += delta
    if (owner.live === 0) {
      this.owned.delete(values.buffer)
      this.liveBytes -= owner.array.byteLength
      if (!owner.escaped) this.pool.give(owner.array)
    }
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const id = super.write(values, shape, dtype)
    this.track(values, +1)
    return id
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    const previous = this.data.has(dataId) ? this.data.get(dataId).values : undefined
    super.move(dataId, values, shape, dtype, refCount)
    this.track(values, +1)
    this.track(previous, -1)
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined
    const result = super.disposeData(dataId, force)
    if (values !== undefined && !this.data.has(dataId)) this.track(values, -1)
    return result
  }

  override readSync(dataId: DataId): BackendValues {
    const values = super.readSync(dataId)
    if (ArrayBuffer.isView(values)) {
      const owner = this.owned.get(values.buffer)
      if (owner !== undefined) owner.escaped = true
    }
    return values
  }

  override dispose(): void {
    this.pool.clear()
    super.dispose()
  }
}
