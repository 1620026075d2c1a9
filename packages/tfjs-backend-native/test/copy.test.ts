import * as tf from "@tensorflow/tfjs-core"
import { beforeAll, describe, expect, it } from "vitest"
import { requireAddon } from "../src/addon.js"
import type { NativeBackend } from "../src/backend.js"
import { nativeAvailable, nativeCalls, normals, registerNative, sizeOf } from "./support.js"

// Slice, PadV2, Tile, Concat and SplitV are copies: every result must equal the cpu backend's
// exactly (toEqual on values, so NaN, -0 and infinities included), for float32, int32 and
// bool, on ranks 1 to 6, with empty sizes, and through the gradients that use them.

type Dtype = "float32" | "int32" | "bool"

/** Seeded values of `dtype`; float32 ones with NaN, -0 and infinities sprinkled in. */
const valuesOf = (seed: number, n: number, dtype: Dtype): Float32Array | Int32Array | Uint8Array => {
  const v = normals(seed, n, 10)
  if (dtype === "int32") return Int32Array.from(v, Math.round)
  if (dtype === "bool") return Uint8Array.from(v, (x) => (x > 0 ? 1 : 0))
  const specials = [Number.NaN, -0, Infinity, -Infinity]
  for (let i = 0; i < n; i += 7) v[i] = specials[(i / 7) % specials.length]!
  return v
}

const tensorOf = (seed: number, shape: number[], dtype: Dtype = "float32"): tf.Tensor => tf.tensor(valuesOf(seed, sizeOf(shape), dtype), shape, dtype)

interface Exact {
  readonly shape: number[]
  readonly dtype: string
  readonly values: number[]
}

/** Runs `f` on `backend` (reused native arrays NaN-filled first) and copies every result out. */
const exactOn = async (backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Exact[]> => {
  await tf.setBackend(backend)
  if (backend === "native") (tf.backend() as NativeBackend).poisonRecycled = true
  const out = tf.tidy(() => [f()].flat())
  const results = out.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync() as ArrayLike<number>) }))
  tf.dispose(out)
  return results
}

/** f's results on native equal the cpu backend's exactly. */
const expectExactlyCpu = async (what: string, f: () => tf.Tensor | tf.Tensor[]): Promise<void> => {
  const expected = await exactOn("cpu", f)
  expect(await exactOn("native", f), what).toEqual(expected)
}

/** Native and fallback calls of `kernel` while `f` is checked against the cpu backend. */
const checkedCalls = (kernel: string, what: string, f: () => tf.Tensor | tf.Tensor[]) => nativeCalls(kernel, () => expectExactlyCpu(what, f))

const shapes: number[][] = [[11], [5, 6], [4, 5, 6], [3, 4, 5, 6], [2, 3, 4, 3, 5], [2, 3, 2, 3, 2, 4]]
const dtypes: Dtype[] = ["float32", "int32", "bool"]

/** A small deterministic generator for begin/size choices. */
const picker = (seed: number) => {
  let s = seed
  return (n: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s % n
  }
}

describe.skipIf(!nativeAvailable)("native copy kernels", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("slices ranks 1 to 6: sizes -1 and 0, begin at the far end, every dtype", async () => {
    const pick = picker(3)
    let native = 0
    for (const [r, shape] of shapes.entries()) {
      for (const dtype of dtypes) {
        for (let trial = 0; trial < 6; ++trial) {
          const begin = shape.map((d) => pick(d + 1))
          const size = shape.map((d, i) => (pick(4) === 0 ? -1 : pick(d - begin[i]! + 1)))
          if (trial === 0) begin[0] = shape[0]! // at the far end: an empty slice
          if (trial === 0) size[0] = 0
          const calls = await checkedCalls(tf.Slice, `slice ${dtype} [${shape}] at [${begin}] size [${size}]`, () =>
            tf.slice(tensorOf(r, shape, dtype), begin, size)
          )
          native += calls.native
        }
      }
    }
    expect(native).toBeGreaterThan(50)
  })

  it("slices with begin and size given short or as numbers, as tfjs completes them", async () => {
    const x = () => tensorOf(1, [4, 5, 6])
    await expectExactlyCpu("begin number", () => tf.slice(x(), 1, 2))
    await expectExactlyCpu("short begin and size", () => tf.slice(x(), [1, 2], [2, -1]))
    await expectExactlyCpu("no size", () => tf.slice(x(), [0, 1, 2]))
  })

  it("raises tfjs's own errors for slices out of range or sizes below -1", async () => {
    const errorOn = async (backend: string, f: () => tf.Tensor): Promise<string> => {
      await tf.setBackend(backend)
      return tf.tidy(() => {
        try {
          f()
          return "no error"
        } catch (e) {
          return String(e)
        }
      })
    }
    for (const f of [() => tf.slice(tensorOf(1, [4, 5]), [1, 3], [2, 3]), () => tf.slice(tensorOf(1, [4, 5]), [1, 0], [2, -2])]) {
      const expected = await errorOn("cpu", f)
      expect(expected).not.toBe("no error")
      expect(await errorOn("native", f)).toBe(expected)
    }
  })

  it("slices one index on two axes of a 6-D view (a caller's window gather)", async () => {
    const calls = await checkedCalls(tf.Slice, "6-D window", () =>
      tf.slice(tf.reshape(tensorOf(2, [4, 6, 6, 8]), [4, 3, 2, 3, 2, 8]), [0, 0, 1, 0, 0, 0], [-1, -1, 1, -1, 1, -1])
    )
    expect(calls.native).toBe(1)
  })

  it("slices the CNN's windows (batch 16), large enough to run on every pool thread", async () => {
    const calls = await checkedCalls(tf.Slice, "[16,18,18,32] window", () => tf.slice(tensorOf(3, [16, 18, 18, 32]), [0, 1, 2, 0], [16, 16, 16, 32]))
    expect(calls.native).toBe(1)
  })

  it("leaves contiguous slices (views on the cpu kernel) and complex tensors to the cpu kernels", async () => {
    const contiguous = await checkedCalls(tf.Slice, "contiguous", () => tf.slice(tensorOf(4, [6, 5, 4]), [2, 0, 0], [3, 5, 4]))
    expect(contiguous).toEqual({ native: 0, fallback: 1 })
    const complex = await checkedCalls(tf.Concat, "complex", () =>
      tf.real(tf.concat([tf.complex(tensorOf(5, [4, 6]), tensorOf(6, [4, 6])), tf.complex(tensorOf(7, [4, 2]), tensorOf(8, [4, 2]))], 1))
    )
    expect(complex.native).toBe(0)
  })

  it("tiles ranks 1 to 4 (reps of 0, 1 and more), every dtype, and leaves rank 5 and up to the cpu kernel", async () => {
    const pick = picker(9)
    let native = 0
    for (const [r, shape] of shapes.entries()) {
      for (const dtype of dtypes) {
        for (let trial = 0; trial < 3; ++trial) {
          const reps = shape.map(() => (trial === 0 ? pick(2) : 1 + pick(3)))
          const calls = await checkedCalls(tf.Tile, `tile ${dtype} [${shape}] by [${reps}]`, () => tf.tile(tensorOf(r, shape, dtype), reps))
          expect(calls.native + calls.fallback).toBe(1)
          if (shape.length > 4) expect(calls.native).toBe(0)
          native += calls.native
        }
      }
    }
    // ranks 1 to 4: 4 shapes x 3 dtypes x 3 trials
    expect(native).toBe(36)
  })

  it("broadcasts as broadcastTo does: global average pooling's gradient, large enough for every pool thread", async () => {
    const calls = await checkedCalls(tf.Tile, "[32,1,1,64] to [32,8,8,64]", () => tf.broadcastTo(tensorOf(4, [32, 1, 1, 64]), [32, 8, 8, 64]))
    expect(calls.native).toBe(1)
    // the innermost axis repeated: one-element rows
    await expectExactlyCpu("[6,1] to [6,5]", () => tf.broadcastTo(tensorOf(5, [6, 1]), [6, 5]))
  })

  it("tile's binding names a short output, a rank over 4 and mixed element types", () => {
    const addon = requireAddon()
    const out = new Float32Array(6)
    addon.tile(Float32Array.of(1, 2), out, Int32Array.of(1, 2), Int32Array.of(3, 1))
    expect([...out]).toEqual([1, 2, 1, 2, 1, 2])
    expect(() => addon.tile(Float32Array.of(1, 2), new Float32Array(5), Int32Array.of(1, 2), Int32Array.of(3, 1))).toThrow("tile: out has 5 elements, 6 needed")
    expect(() => addon.tile(new Float32Array(1), new Float32Array(1), Int32Array.of(1, 1, 1, 1, 1), Int32Array.of(1, 1, 1, 1, 1))).toThrow("tile: rank over 4")
    expect(() => addon.tile(new Float32Array(1), new Int32Array(1), Int32Array.of(1), Int32Array.of(1))).toThrow(
      "tile: out must have the element type of the other tensors"
    )
  })

  it("pads ranks 1 to 6 with any constant and zero-width pads, every dtype", async () => {
    const pick = picker(5)
    const constants: Record<Dtype, number[]> = { float32: [0, -0, 1.5, -2.25, Number.NaN, 1e-40], int32: [0, 7, -3, 2.7], bool: [0, 1] }
    let native = 0
    for (const [r, shape] of shapes.entries()) {
      for (const dtype of dtypes) {
        for (const constant of constants[dtype]) {
          const paddings = shape.map(() => [pick(3), pick(3)] as [number, number])
          const calls = await checkedCalls(tf.PadV2, `pad ${dtype} [${shape}] by [${paddings.join(" ")}] with ${constant}`, () =>
            tf.pad(tensorOf(r, shape, dtype), paddings, constant)
          )
          native += calls.native
        }
      }
    }
    expect(native).toBeGreaterThan(20)
  })

  it("pads an empty tensor (all constant), without padding, and the CNN's feature maps", async () => {
    await expectExactlyCpu("empty input", () =>
      tf.pad(
        tf.zeros([0, 3]),
        [
          [1, 2],
          [0, 1]
        ],
        4
      )
    )
    await expectExactlyCpu("no padding", () =>
      tf.pad(
        tensorOf(7, [3, 4]),
        [
          [0, 0],
          [0, 0]
        ],
        9
      )
    )
    const calls = await checkedCalls(tf.PadV2, "[16,16,16,32]", () =>
      tf.pad(tensorOf(8, [16, 16, 16, 32]), [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0]
      ])
    )
    expect(calls.native).toBe(1)
  })

  it("concatenates along every axis: several inputs of different sizes, empty ones, every dtype", async () => {
    let native = 0
    for (const [r, shape] of shapes.entries()) {
      for (const dtype of dtypes) {
        for (let axis = 0; axis < shape.length; ++axis) {
          const widths = [2, 0, 1, 3]
          const calls = await checkedCalls(tf.Concat, `concat ${dtype} [${shape}] axis ${axis}`, () =>
            tf.concat(
              widths.map((w, i) =>
                tensorOf(
                  10 * r + i,
                  shape.map((d, j) => (j === axis ? w : d)),
                  dtype
                )
              ),
              axis
            )
          )
          native += calls.native
        }
      }
    }
    expect(native).toBe(3 * shapes.reduce((a, s) => a + s.length, 0))
    await expectExactlyCpu("negative axis", () => tf.concat([tensorOf(1, [3, 2]), tensorOf(2, [3, 5])], -1))
    await expectExactlyCpu("one non-empty input", () => tf.concat([tensorOf(1, [3, 2]), tf.zeros([3, 0])], 1))
    await expectExactlyCpu("all empty", () => tf.concat([tf.zeros([0, 2]), tf.zeros([0, 2])], 0))
    const large = await checkedCalls(tf.Concat, "nine [8,16,16,32] along 3", () =>
      tf.concat(
        Array.from({ length: 9 }, (_, i) => tensorOf(i, [8, 16, 16, 32])),
        3
      )
    )
    expect(large.native).toBe(1)
  })

  it("splits along every axis: sizes with -1 and 0, even splits, every dtype", async () => {
    let native = 0
    for (const [r, shape] of shapes.entries()) {
      for (const dtype of dtypes) {
        for (let axis = 0; axis < shape.length; ++axis) {
          const d = shape[axis]!
          const sizes = d >= 3 ? [1, 0, -1, 1] : [d, 0]
          const calls = await checkedCalls(tf.SplitV, `split ${dtype} [${shape}] axis ${axis} into [${sizes}]`, () =>
            tf.split(tensorOf(r, shape, dtype), sizes, axis)
          )
          native += calls.native
          await expectExactlyCpu(`even split ${dtype} [${shape}] axis ${axis}`, () => tf.split(tensorOf(r, shape, dtype), 1, axis))
        }
      }
    }
    // Axis 0 (nothing outside it) stays on the cpu kernel, which returns views.
    expect(native).toBe(3 * shapes.reduce((a, s) => a + s.length - 1, 0))
    const large = await checkedCalls(tf.SplitV, "[8,16,16,288] in nine", () => tf.split(tensorOf(9, [8, 16, 16, 288]), 9, 3))
    expect(large.native).toBe(1)
  })

  it("gives the cpu backend's gradients through slice, pad and concat", async () => {
    const w = (seed: number, shape: number[]) => tensorOf(seed, shape)
    const x = () => tensorOf(11, [3, 6, 6, 4])
    const sliced = await checkedCalls(tf.PadV2, "d slice", () =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.slice(t, [0, 1, 2, 0], [3, 4, 3, 4]), w(12, [3, 4, 3, 4]))))(x())
    )
    expect(sliced.native).toBe(1)
    const padded = await checkedCalls(tf.Slice, "d pad", () =>
      tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.pad(
              t,
              [
                [0, 0],
                [1, 1],
                [2, 0],
                [0, 0]
              ],
              3
            ),
            w(13, [3, 8, 8, 4])
          )
        )
      )(x())
    )
    expect(padded.native).toBe(1)
    const concatenated = await checkedCalls(tf.SplitV, "d concat", () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(tf.concat([a, b, c], 3), w(14, [3, 6, 6, 9]))))([
        x(),
        tensorOf(15, [3, 6, 6, 3]),
        tensorOf(16, [3, 6, 6, 2])
      ])
    )
    expect(concatenated.native).toBe(1)
  })
})
