import * as tf from "@tensorflow/tfjs-core"
import { beforeAll, describe, expect, it } from "vitest"
import type { NativeBackend } from "../src/backend.js"
import { expectSameAsCpu, nativeAvailable, nativeCalls, normals, randomTensor, registerNative, sizeOf } from "./support.js"

// Equal, scalar, bias row, column, general; the last two large enough to be split across
// threads mid-row.
const shapePairs: Array<[number[], number[]]> = [
  [
    [37, 29],
    [37, 29]
  ],
  [[37, 29], []],
  [[], [5, 7]],
  [[128, 10], [10]],
  [
    [33, 1],
    [33, 17]
  ],
  [
    [2, 1, 5, 1],
    [3, 1, 4]
  ],
  [
    [9, 33, 29, 16],
    [1, 1, 1, 16]
  ],
  [
    [40, 1, 33, 50],
    [7, 33, 1]
  ]
]

const exact = { rtol: 0, atol: 0 }

const specialValues = [0, -0, 1, -1, 2.5, -3.75, 1e-8, -1e8, Infinity, -Infinity, NaN, 0.5]
const specials = () => tf.tensor1d(specialValues)

/** Rounded normals, so equal values (and ties for >=, <=) are common. */
const coarse = (seed: number, shape: number[]): tf.Tensor => tf.round(randomTensor(seed, shape, 1.5))

/** A bool tensor of seeded values, built from its bytes (never through a comparison kernel). */
const boolTensor = (seed: number, shape: number[]): tf.Tensor =>
  tf.tensor(
    Uint8Array.from(normals(seed, sizeOf(shape)), (v) => (v > 0 ? 1 : 0)),
    shape,
    "bool"
  )

const compareOps: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ["Greater", tf.greater],
  ["GreaterEqual", tf.greaterEqual],
  ["Less", tf.less],
  ["LessEqual", tf.lessEqual],
  ["Equal", tf.equal],
  ["NotEqual", tf.notEqual]
]

const logicalOps: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ["LogicalAnd", tf.logicalAnd],
  ["LogicalOr", tf.logicalOr]
]

const newKernels = [...compareOps, ...logicalOps].map(([name]) => name).concat(["LogicalNot", "Cast", "Select"])

describe.skipIf(!nativeAvailable)("native comparisons, logical ops, Cast and Select", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("registers every one of them natively, in place of the cpu kernels", async () => {
    const { nativeKernelNames } = await registerNative()
    expect(nativeKernelNames()).toEqual(expect.arrayContaining(newKernels))
    for (const name of newKernels) expect(tf.getKernel(name, "native")?.kernelFunc, name).not.toBe(tf.getKernel(name, "cpu")?.kernelFunc)
  })

  it("compares a hand-computed pair, NaN included, to bool stored as a Uint8Array", async () => {
    await tf.setBackend("native")
    const a = tf.tensor1d([1, 2, NaN, 3, -0])
    const b = tf.tensor1d([2, 2, NaN, NaN, 0])
    const gt = tf.greater(a, b),
      ge = tf.greaterEqual(a, b),
      eq = tf.equal(a, b),
      ne = tf.notEqual(a, b)
    expect(gt.dtype).toBe("bool")
    expect(gt.dataSync()).toBeInstanceOf(Uint8Array)
    expect(Array.from(gt.dataSync())).toEqual([0, 0, 0, 0, 0])
    expect(Array.from(ge.dataSync())).toEqual([0, 1, 0, 0, 1])
    expect(Array.from(eq.dataSync())).toEqual([0, 1, 0, 0, 1])
    expect(Array.from(ne.dataSync())).toEqual([1, 0, 1, 1, 0])
    tf.dispose([a, b, gt, ge, eq, ne])
  })

  for (const [name, op] of compareOps) {
    it(`${name} broadcasts like cpu`, async () => {
      const calls = await nativeCalls(name, () => expectSameAsCpu(name, () => shapePairs.map(([sa, sb], i) => op(coarse(i, sa), coarse(i + 50, sb))), exact))
      expect(calls).toEqual({ native: shapePairs.length, fallback: 0 })
    })

    it(`${name} handles signed zeros, infinities and NaN like cpu`, async () => {
      const calls = await nativeCalls(name, () =>
        expectSameAsCpu(
          `${name} specials`,
          () => [
            op(tf.reshape(specials(), [12, 1]), specials()), // every pair
            op(specials(), tf.scalar(NaN)),
            op(tf.scalar(NaN), specials()),
            op(specials(), tf.scalar(-0))
          ],
          exact
        )
      )
      expect(calls.native).toBe(4)
    })
  }

  for (const [name, op] of logicalOps) {
    it(`${name} broadcasts like cpu`, async () => {
      const calls = await nativeCalls(name, () =>
        expectSameAsCpu(name, () => shapePairs.map(([sa, sb], i) => op(boolTensor(i, sa), boolTensor(i + 50, sb))), exact)
      )
      expect(calls).toEqual({ native: shapePairs.length, fallback: 0 })
    })
  }

  it("LogicalAnd and LogicalOr keep JavaScript's && and || on bytes other than 0 and 1, like cpu", async () => {
    const a = () => tf.tensor1d(new Uint8Array([0, 1, 0, 1, 2, 0, 2]), "bool")
    const b = () => tf.tensor1d(new Uint8Array([0, 0, 1, 1, 1, 3, 0]), "bool")
    await expectSameAsCpu("bytes", () => [tf.logicalAnd(a(), b()), tf.logicalOr(a(), b()), tf.logicalNot(a())], exact)
  })

  it("LogicalNot matches cpu", async () => {
    const calls = await nativeCalls("LogicalNot", () =>
      expectSameAsCpu("LogicalNot", () => [tf.logicalNot(boolTensor(1, [65, 33])), tf.logicalNot(boolTensor(2, []))], exact)
    )
    expect(calls.native).toBe(2)
  })

  it("feeds its bool outputs to cpu kernels that read them (sum, any, where on an int32 cast)", async () => {
    await expectSameAsCpu(
      "bool consumers",
      () => {
        const mask = tf.greater(randomTensor(4, [64, 48]), 0)
        return [tf.sum(mask), tf.any(mask, 1), tf.cast(tf.cast(mask, "int32"), "float32"), tf.where(mask, tf.ones([64, 48]), tf.zeros([64, 48]))]
      },
      exact
    )
  })

  it("leaves int32 comparisons to the cpu kernels, with the same results", async () => {
    const calls = await nativeCalls("Equal", () =>
      expectSameAsCpu("int32 equal", () => tf.equal(tf.tensor1d([1, 2, 3], "int32"), tf.tensor1d([1, 5, 3], "int32")), exact)
    )
    expect(calls).toEqual({ native: 0, fallback: 1 })
  })

  it("raises tfjs's own error on shapes that do not broadcast", async () => {
    await tf.setBackend("native")
    expect(() => tf.greater(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(/broadcast/)
  })

  describe("Cast", () => {
    const castCalls = (body: () => Promise<unknown>) => nativeCalls("Cast", body)

    it("turns bool into a float32 Float32Array that float32 native kernels take", async () => {
      await tf.setBackend("native")
      const { nativeKernelStats } = await registerNative()
      const mask = tf.greater(tf.tensor1d([-1, 0.5, 2, NaN]), 0)
      const before = nativeKernelStats()
      const f = tf.cast(mask, "float32")
      const y = tf.mul(f, tf.scalar(3))
      const after = nativeKernelStats()
      expect(f.dtype).toBe("float32")
      expect((tf.backend() as NativeBackend).data.get(f.dataId).values).toBeInstanceOf(Float32Array)
      expect(Array.from(y.dataSync())).toEqual([0, 3, 3, 0])
      expect((after.native["Cast"] ?? 0) - (before.native["Cast"] ?? 0)).toBe(1)
      expect((after.native["Multiply"] ?? 0) - (before.native["Multiply"] ?? 0)).toBe(1)
      tf.dispose([mask, f, y])
    })

    it("shares a float32 tensor's array on float32 to float32, as cpu does", async () => {
      await tf.setBackend("native")
      const x = tf.tensor1d([1, 2, 3])
      const calls = await castCalls(async () => {
        const y = tf.cast(x, "float32")
        expect((tf.backend() as NativeBackend).data.get(y.dataId).values).toBe((tf.backend() as NativeBackend).data.get(x.dataId).values)
        y.dispose()
      })
      expect(Array.from(x.dataSync())).toEqual([1, 2, 3])
      x.dispose()
      expect(calls).toEqual({ native: 1, fallback: 0 })
    })

    it("converts float32, int32 and bool like cpu, ToInt32 edges and NaN included", async () => {
      const floats = () => tf.tensor1d([0, -0, 1.9, -1.9, 2.5, -2.5, 1e10, -1e10, 2147483520, 2147483648, 1e20, Infinity, -Infinity, NaN])
      const ints = () => tf.tensor1d([0, -7, 3, 16777216, -2147483648, 2147483647], "int32")
      const calls = await castCalls(() =>
        expectSameAsCpu(
          "casts",
          () => [
            tf.cast(floats(), "int32"),
            tf.cast(floats(), "bool"),
            tf.cast(tf.cast(floats(), "bool"), "float32"),
            tf.cast(ints(), "bool"),
            tf.cast(tf.tensor1d([5, -3, 0, 16777216], "int32"), "float32"),
            tf.cast(tf.mul(randomTensor(5, [300, 700]), 1e3), "int32")
          ],
          exact
        )
      )
      expect(calls.fallback).toBe(0)
    })

    it("gives int32 results as Int32Arrays and bool results as Uint8Arrays", async () => {
      await tf.setBackend("native")
      const x = tf.tensor1d([1.5, -0, NaN])
      const i = tf.cast(x, "int32"),
        b = tf.cast(x, "bool")
      expect(i.dataSync()).toBeInstanceOf(Int32Array)
      expect(Array.from(i.dataSync())).toEqual([1, 0, 0])
      expect(b.dataSync()).toBeInstanceOf(Uint8Array)
      expect(Array.from(b.dataSync())).toEqual([1, 0, 1])
      tf.dispose([x, i, b])
    })

    it("leaves int32 values float32 would round to the cpu kernel, which keeps them exact", async () => {
      const big = () => tf.tensor1d([16777217, 1, -2147483647], "int32")
      const calls = await castCalls(() => expectSameAsCpu("big int32", () => tf.cast(tf.cast(big(), "float32"), "int32"), exact))
      // int32 -> float32 falls back (the float32 tensor keeps its Int32Array); the cast back to int32 converts it natively
      expect(calls).toEqual({ native: 1, fallback: 1 })
      await tf.setBackend("native")
      const y = tf.cast(big(), "float32")
      expect(Array.from(y.dataSync())).toEqual([16777217, 1, -2147483647])
      y.dispose()
    })

    it("leaves casts the cpu kernel makes by sharing (int32 or bool to int32, bool to bool) to it", async () => {
      const calls = await castCalls(() =>
        expectSameAsCpu(
          "aliases",
          () => [
            tf.cast(tf.cast(tf.tensor1d([1, 0, 1], "bool"), "int32"), "float32"),
            tf.cast(tf.cast(tf.tensor1d([4, 5], "int32"), "int32"), "float32"),
            tf.cast(tf.cast(tf.tensor1d([1, 0], "bool"), "bool"), "float32")
          ],
          exact
        )
      )
      // the inner casts are the cpu kernel's aliases; the outer ones convert their Uint8Array or Int32Array natively
      expect(calls).toEqual({ native: 3, fallback: 3 })
    })
  })

  it("Select (tf.where) matches cpu, broadcasting and NaN included, and only a byte of 1 picks t", async () => {
    const calls = await nativeCalls("Select", () =>
      expectSameAsCpu(
        "where",
        () => [
          tf.where(boolTensor(7, [37, 29]), randomTensor(8, [37, 29]), randomTensor(9, [37, 29])),
          tf.where(boolTensor(10, [300, 1]), randomTensor(11, [300, 700]), tf.scalar(NaN)),
          tf.where(tf.tensor1d(new Uint8Array([1, 2, 0, 1]), "bool"), tf.tensor1d([1, 2, 3, NaN]), tf.tensor1d([-1, -2, -3, -4]))
        ],
        exact
      )
    )
    expect(calls.native).toBe(3)
  })

  it("runs SANER's group-B mask entirely natively, with cpu's values", async () => {
    const { nativeKernelStats } = await registerNative()
    const mask = (r: tf.Tensor) => tf.mul(tf.cast(tf.logicalAnd(tf.greater(r, 0), tf.less(r, 1)), "float32"), r)
    const before = nativeKernelStats()
    await expectSameAsCpu(
      "saner mask",
      () => {
        const r = randomTensor(12, [96, 64])
        return [mask(r), mask(tf.concat([r, tf.fill([1, 64], NaN)], 0))]
      },
      exact
    )
    const after = nativeKernelStats()
    for (const k of ["Greater", "Less", "LogicalAnd", "Cast", "Multiply"]) {
      expect((after.native[k] ?? 0) - (before.native[k] ?? 0), k).toBe(2)
      expect((after.fallback[k] ?? 0) - (before.fallback[k] ?? 0), k).toBe(0)
    }
  })

  it("recycles bool outputs through the pool, and writes every element of a reused one", async () => {
    await tf.setBackend("native")
    const backend = tf.backend() as NativeBackend
    const x = randomTensor(13, [1000, 37])
    const first = tf.greater(x, 0)
    const buffer = (backend.data.get(first.dataId).values as Uint8Array).buffer
    first.dispose()
    const before = backend.poolStats().reused
    backend.poisonRecycled = true
    const second = tf.lessEqual(x, 0)
    backend.poisonRecycled = false
    const values = backend.data.get(second.dataId).values as Uint8Array
    expect(values.buffer).toBe(buffer)
    expect(values.length).toBe(37000)
    expect(backend.poolStats().reused).toBe(before + 1)
    const xs = x.dataSync()
    expect(Array.from(second.dataSync()).every((v, i) => v === (xs[i]! <= 0 ? 1 : 0))).toBe(true)
    tf.dispose([x, second])
  })

  it("gives bool outputs whose buffer holds exactly their bytes (tensor.bytes()), odd sizes included", async () => {
    await tf.setBackend("native")
    for (const n of [5, 8, 1023]) {
      const x = randomTensor(n, [n])
      const mask = tf.greater(x, 0)
      const bytes = (await mask.bytes()) as Uint8Array
      expect(bytes.length).toBe(n)
      expect(Array.from(bytes)).toEqual(Array.from(x.dataSync(), (v) => (v > 0 ? 1 : 0)))
      tf.dispose([x, mask])
    }
  })
})
