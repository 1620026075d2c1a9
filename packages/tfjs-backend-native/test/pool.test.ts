import * as tf from "@tensorflow/tfjs-core"
import { beforeAll, describe, expect, it } from "vitest"
import { evaluateOn, expectSameAsCpu, nativeAvailable, nativeCalls, randomTensor, registerNative } from "./support.js"

interface PoolCase {
  readonly name: string
  readonly x: [number, number, number, number]
  readonly size: number | [number, number]
  readonly strides: number | [number, number]
  readonly pad: "valid" | "same" | number
}

const cases: PoolCase[] = [
  { name: "2x2 stride 2 valid", x: [3, 8, 10, 5], size: 2, strides: 2, pad: "valid" },
  { name: "2x2 stride 2 odd input", x: [2, 9, 7, 4], size: 2, strides: 2, pad: "valid" },
  { name: "2x2 stride 2 batch 1, 33 channels", x: [1, 6, 8, 33], size: 2, strides: 2, pad: "valid" },
  { name: "2x2 stride 2 odd sizes over threads", x: [5, 23, 17, 19], size: 2, strides: 2, pad: "valid" },
  { name: "3x3 stride 2 same", x: [2, 9, 11, 3], size: 3, strides: 2, pad: "same" },
  { name: "3x2 stride 1 same", x: [1, 7, 6, 6], size: [3, 2], strides: 1, pad: "same" },
  { name: "2x3 stride (1,2) valid", x: [2, 6, 9, 2], size: [2, 3], strides: [1, 2], pad: "valid" },
  { name: "3x3 numeric pad 1", x: [2, 6, 6, 3], size: 3, strides: 2, pad: 1 }
]

/** Small integers after a ReLU: many tied maxima, so the tie-breaking rule is exercised. */
const tiedInput = (seed: number, shape: number[]): tf.Tensor => tf.relu(tf.round(randomTensor(seed, shape, 1.5)))

describe.skipIf(!nativeAvailable)("native pooling", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("takes the max and the mean of 2x2 windows (hand-computed)", async () => {
    const x = () => tf.tensor4d([1, 5, 2, 0, 3, -1, 4, 8, 6, 7, 0, 0, 2, 2, 9, 1], [1, 4, 4, 1])
    const [mx] = await evaluateOn("native", () => tf.maxPool(x(), 2, 2, "valid"))
    const [av] = await evaluateOn("native", () => tf.avgPool(x(), 2, 2, "valid"))
    expect(Array.from(mx!.values)).toEqual([5, 8, 7, 9])
    expect(Array.from(av!.values)).toEqual([2, 3.5, 4.25, 2.5])
  })

  for (const c of cases) {
    it(`MaxPool and AvgPool ${c.name}, forward and gradient, match cpu`, async () => {
      const maxGrad = await nativeCalls("MaxPoolGrad", async () => {
        const avgGrad = await nativeCalls("AvgPoolGrad", () =>
          expectSameAsCpu(c.name, () => {
            const x = tiedInput(1, c.x)
            const smooth = randomTensor(2, c.x)
            const out = tf.maxPool(x as tf.Tensor4D, c.size, c.strides, c.pad)
            const w = randomTensor(3, out.shape)
            const gMax = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad), w)))(x)
            const gAvg = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, c.size, c.strides, c.pad), w)))(smooth)
            return [out, tf.avgPool(smooth as tf.Tensor4D, c.size, c.strides, c.pad), gMax, gAvg]
          })
        )
        expect(avgGrad.native).toBe(1)
      })
      expect(maxGrad.native).toBe(1)
    })
  }

  it("routes the gradient of a window of equal values to its first element, as tfjs does", async () => {
    const [g] = await evaluateOn("native", () => tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, "valid")))(tf.zeros([1, 2, 2, 1])))
    expect(Array.from(g!.values)).toEqual([1, 0, 0, 0])
  })

  it("ignores NaN inside a max window, like the cpu kernel", async () => {
    await expectSameAsCpu("NaN window", () => tf.maxPool(tf.tensor4d([NaN, 1, 2, NaN, NaN, NaN, NaN, 3], [1, 2, 4, 1]), 2, 2, "valid"))
  })

  it("2x2 windows with NaN, -Infinity and ties: forward and gradient match cpu", async () => {
    const values = [NaN, NaN, NaN, NaN, -Infinity, -Infinity, -Infinity, -Infinity, NaN, -Infinity, 2, 2, 1, NaN, Infinity, 3, 0, -0, 0, 0, -1, NaN, -1, -2]
    for (const shape of [
      [1, 2, 12, 1],
      [1, 2, 6, 2],
      [3, 2, 2, 2]
    ] as const) {
      await expectSameAsCpu(`special windows ${shape}`, () => {
        const x = tf.tensor4d(values, [...shape])
        const w = tf.reshape(tf.range(1, 1 + values.length / 4), [shape[0], 1, shape[2] / 2, shape[3]])
        return [tf.maxPool(x, 2, 2, "valid"), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, "valid"), w)))(x)]
      })
    }
  })

  it("treats a 1x1 window that keeps the shape as the identity (cpu path)", async () => {
    const calls = await nativeCalls("MaxPool", () =>
      expectSameAsCpu("identity pool", () => tf.maxPool(randomTensor(4, [1, 3, 3, 2]) as tf.Tensor4D, 1, 1, "valid"))
    )
    expect(calls).toEqual({ native: 0, fallback: 1 })
  })

  it("matches cpu on the gradient through a conv-relu-pool block", async () => {
    await expectSameAsCpu("conv-relu-pool block", () => {
      const x = randomTensor(5, [4, 16, 16, 3])
      const w = randomTensor(6, [3, 3, 3, 8], 0.3)
      const f = (a: tf.Tensor) => tf.sum(tf.square(tf.maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, "same")), 2, 2, "valid")))
      return tf.grad(f)(x)
    })
  })
})
