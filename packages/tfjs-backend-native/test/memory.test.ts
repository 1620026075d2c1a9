import * as tf from "@tensorflow/tfjs-core"
import { beforeAll, describe, expect, it } from "vitest"
import { requireAddon } from "../src/addon.js"
import { NativeBackend } from "../src/backend.js"
import { Float32Pool } from "../src/memory/float32-pool.js"
import { nativeAvailable, registerNative } from "./support.js"

describe("Float32Pool", () => {
  it("hands back arrays of exactly the asked length, last in first out", () => {
    const pool = new Float32Pool(1024)
    const a = new Float32Array(8),
      b = new Float32Array(8),
      c = new Float32Array(4)
    pool.give(a)
    pool.give(b)
    pool.give(c)
    expect(pool.heldBytes).toBe(80)
    expect(pool.take(8)).toBe(b)
    expect(pool.take(8)).toBe(a)
    expect(pool.take(8)).toBeUndefined()
    expect(pool.take(4)).toBe(c)
    expect(pool.heldBytes).toBe(0)
  })

  it("drops what would exceed its capacity", () => {
    const pool = new Float32Pool(40)
    pool.give(new Float32Array(8))
    pool.give(new Float32Array(8))
    expect(pool.heldBytes).toBe(32)
    expect(pool.take(8)).toBeDefined()
    expect(pool.take(8)).toBeUndefined()
  })

  it("makes room by dropping arrays of other lengths, those given back least recently first", () => {
    const pool = new Float32Pool(56)
    pool.give(new Float32Array(4))
    pool.give(new Float32Array(2))
    pool.give(new Float32Array(4)) // 4-float arrays now given back most recently
    expect(pool.heldBytes).toBe(40)
    const big = new Float32Array(8)
    pool.give(big) // 32 bytes: the 2-float array goes first, then one 4-float array
    expect(pool.heldBytes).toBe(48)
    expect(pool.take(2)).toBeUndefined()
    expect(pool.take(8)).toBe(big)
    expect(pool.take(4)).toBeDefined()
    expect(pool.take(4)).toBeUndefined()
    // Only arrays of its own length in the way, or larger than the capacity: dropped itself.
    const full = new Float32Pool(64)
    full.give(new Float32Array(8))
    full.give(new Float32Array(8))
    full.give(new Float32Array(8))
    expect(full.heldBytes).toBe(64)
    full.give(new Float32Array(17))
    expect(full.heldBytes).toBe(64)
    expect(full.take(17)).toBeUndefined()
  })

  it("grows to the capacity it is told, never shrinks, and stays off with a zero floor", () => {
    const pool = new Float32Pool(40)
    pool.growTo(100)
    pool.growTo(60)
    expect(pool.capacityBytes).toBe(100)
    for (let i = 0; i < 4; i++) pool.give(new Float32Array(6))
    expect(pool.heldBytes).toBe(96) // four arrays of 24 bytes: the floor of 40 held one
    const off = new Float32Pool(0)
    off.growTo(100)
    off.give(new Float32Array(1))
    expect(off.heldBytes).toBe(0)
  })
})

describe.skipIf(!nativeAvailable)("the native backend's pool capacity", () => {
  it("follows the peak of live outputs, so a working set above the floor is reused whole", () => {
    // A 4 KB floor and three 4 KB outputs alive at once: under a fixed capacity two would be
    // dropped on disposal and allocated afresh on the next pass.
    const saved = process.env["SAMLAB_NATIVE_POOL_MB"]
    process.env["SAMLAB_NATIVE_POOL_MB"] = String(4096 / 2 ** 20)
    const backend = new NativeBackend(requireAddon())
    if (saved === undefined) delete process.env["SAMLAB_NATIVE_POOL_MB"]
    else process.env["SAMLAB_NATIVE_POOL_MB"] = saved
    const pass = () => {
      const ids = [0, 1, 2].map(() => backend.write(backend.allocFloat32(1024), [1024], "float32"))
      for (const id of ids) backend.disposeData(id)
    }
    pass()
    const afterFirst = backend.poolStats()
    expect(afterFirst.freshBytes).toBe(3 * 4096)
    expect(afterFirst.capacityBytes).toBe(1.25 * 3 * 4096)
    expect(afterFirst.heldBytes).toBe(3 * 4096)
    pass()
    expect(backend.poolStats().freshBytes).toBe(3 * 4096)
    expect(backend.poolStats().reused).toBe(3)
    backend.dispose()
  })
})

describe.skipIf(!nativeAvailable)("output recycling in the native backend", () => {
  let backend: NativeBackend
  const storage = (t: tf.Tensor): Float32Array => backend.data.get(t.dataId).values as Float32Array

  beforeAll(async () => {
    await registerNative()
    await tf.setBackend("native")
    backend = tf.backend() as NativeBackend
  })

  it("reuses the array of a disposed output for the next output of that size", () => {
    const x = tf.ones([64, 32])
    const first = tf.relu(x)
    const buffer = storage(first).buffer
    first.dispose()
    const before = backend.poolStats().reused
    const second = tf.neg(x)
    expect(storage(second).buffer).toBe(buffer)
    expect(backend.poolStats().reused).toBe(before + 1)
    expect(Array.from(second.dataSync().slice(0, 3))).toEqual([-1, -1, -1])
    tf.dispose([x, second])
  })

  it("never reuses an array the user has read (it may be kept)", () => {
    const x = tf.ones([16, 16])
    const y = tf.relu(x)
    const held = y.dataSync()
    y.dispose()
    const z = tf.neg(x)
    expect(storage(z).buffer).not.toBe(held.buffer)
    expect(held[0]).toBe(1)
    tf.dispose([x, z])
  })

  it("keeps a buffer while a view of it (from slice) is alive", () => {
    const x = tf.ones([10, 10])
    const y = tf.relu(x)
    const view = tf.slice(y, [2, 0], [3, 10])
    expect(storage(view).buffer).toBe(storage(y).buffer) // the cpu slice kernel returns a subarray
    const buffer = storage(y).buffer
    y.dispose()
    const other = tf.neg(x)
    expect(storage(other).buffer).not.toBe(buffer)
    expect(Array.from(view.dataSync())).toEqual(new Array(30).fill(1))
    tf.dispose([x, view, other])
  })

  it("keeps a buffer that two tensors share through reshape until both are gone", () => {
    const x = tf.ones([4, 6])
    const y = tf.relu(x)
    const r = tf.reshape(y, [24])
    const buffer = storage(y).buffer
    y.dispose()
    const other = tf.neg(x)
    expect(storage(other).buffer).not.toBe(buffer)
    r.dispose()
    const again = tf.neg(x)
    expect(storage(again).buffer).toBe(buffer)
    tf.dispose([x, other, again])
  })

  it("leaves user-supplied arrays alone", () => {
    const mine = new Float32Array([1, 2, 3, 4])
    const t = tf.tensor1d(mine)
    t.dispose()
    const ones = tf.ones([4])
    const out = tf.relu(ones)
    expect(storage(out).buffer).not.toBe(mine.buffer)
    tf.dispose([ones, out])
  })
})
