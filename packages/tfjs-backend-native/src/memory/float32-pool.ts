/**
 * Free lists of Float32Arrays by exact length. Training steps ask for the same sizes every
 * step, and a recycled array skips what a fresh one costs (zero-fill, first-touch page
 * faults, and the garbage collection of large ArrayBuffers).
 */
export class Float32Pool {
  private readonly free = new Map<number, Float32Array[]>()
  private bytes = 0
  private capacity: number

  constructor(
    /** Bytes kept on the free lists at least (0 disables recycling); see `growTo`. */
    readonly floorBytes: number
  ) {
    this.capacity = floorBytes
  }

  /** Bytes kept on the free lists at most; arrays given back beyond it are dropped. */
  get capacityBytes(): number {
    return this.capacity
  }

  /**
   * Raises the capacity to `bytes` (never lowers it; a pool with a zero floor stays off). The
   * backend passes its peak of live output bytes: a step whose working set outgrows a fixed
   * capacity would otherwise drop arrays it asks for again within the same step and pay
   * fresh zero-filled, page-faulting allocations and the collection of large buffers for
   * each (a ResNet-8 at batch 128 allocated 406 MB fresh per step under 256 MB). The backend's
   * margin over that peak bounds held plus live bytes by about 2.25 times the largest working set.
   */
  growTo(bytes: number): void {
    if (this.floorBytes > 0 && bytes > this.capacity) this.capacity = bytes
  }

  /** Bytes currently held on the free lists. */
  get heldBytes(): number {
    return this.bytes
  }

  /** An array of exactly `length` elements from the free list, or undefined. Its contents are stale. */
  take(length: number): Float32Array | undefined {
    const list = this.free.get(length)
    const array = list?.pop()
    if (array !== undefined) this.bytes -= array.byteLength
    return array
  }

  /**
   * Keeps `array` for reuse. Where that would exceed the capacity, arrays of other lengths are
   * dropped to make room, those of the lengths given back least recently first (sizes a
   * previous model or phase used and the current one no longer asks for would otherwise fill
   * the pool for good: a small CNN benchmarked after a ResNet-8 in one process ran 50% slower
   * allocating fresh); when that cannot make room, `array` itself is dropped.
   */
  give(array: Float32Array): void {
    if (array.length === 0 || array.byteLength > this.capacity) return
    if (this.bytes + array.byteLength > this.capacity && !this.evictFor(array)) return
    const list = this.free.get(array.length) ?? []
    // Re-inserted: the map's key order is the order lengths were last given back.
    this.free.delete(array.length)
    list.push(array)
    this.free.set(array.length, list)
    this.bytes += array.byteLength
  }

  /** Drops arrays of other lengths, least recently given back first, until `array` fits; false if it cannot. */
  private evictFor(array: Float32Array): boolean {
    const own = this.free.get(array.length)?.length ?? 0
    if ((own + 1) * array.byteLength > this.capacity) return false
    for (const [length, list] of this.free) {
      if (this.bytes + array.byteLength <= this.capacity) break
      if (length === array.length) continue
      while (list.length > 0 && this.bytes + array.byteLength > this.capacity) this.bytes -= list.pop()!.byteLength
      if (list.length === 0) this.free.delete(length)
    }
    return true
  }

  clear(): void {
    this.free.clear()
    this.bytes = 0
  }
}

/** The pool's floor: SAMLAB_NATIVE_POOL_MB megabytes (0 disables recycling), default 256. */
export const poolCapacityFromEnv = (): number => {
  const raw = process.env["SAMLAB_NATIVE_POOL_MB"]
  const mb = raw === undefined || raw === "" ? 256 : Number(raw)
  return Number.isFinite(mb) && mb >= 0 ? mb * 1024 * 1024 : 256 * 1024 * 1024
}
