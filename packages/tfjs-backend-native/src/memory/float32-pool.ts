/**
 * Free lists of Float32Arrays by exact length. Training steps ask for the same sizes every
 * step, and a recycled array skips what a fresh one costs (zero-fill, first-touch page
 * faults, and the garbage collection of large ArrayBuffers).
 */
export class Float32Pool {
  private readonly free = new Map<number, Float32Array[]>()
  private bytes = 0

  constructor(
    /** Bytes kept on the free lists at most; arrays given back beyond it are dropped. */
    readonly capacityBytes: number
  ) {}

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

  /** Keeps `array` for reuse, unless that would exceed the capacity. */
  give(array: Float32Array): void {
    if (array.length === 0 || this.bytes + array.byteLength > this.capacityBytes) return
    const list = this.free.get(array.length)
    if (list) list.push(array)
    else this.free.set(array.length, [array])
    this.bytes += array.byteLength
  }

  clear(): void {
    this.free.clear()
    this.bytes = 0
  }
}

/** The pool's capacity: SAMLAB_NATIVE_POOL_MB megabytes (0 disables recycling), default 256. */
export const poolCapacityFromEnv = (): number => {
  const raw = process.env["SAMLAB_NATIVE_POOL_MB"]
  const mb = raw === undefined || raw === "" ? 256 : Number(raw)
  return Number.isFinite(mb) && mb >= 0 ? mb * 1024 * 1024 : 256 * 1024 * 1024
}
