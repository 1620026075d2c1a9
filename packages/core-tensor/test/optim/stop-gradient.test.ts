import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { constantOf, expectNoLeak, stopGradient } from "../../src/index.js"

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync())

describe("stopGradient and constantOf", () => {
  it("stopGradient keeps the values and blocks the gradient: d/dx [x * sg(x)] = sg(x) = x, not 2x", async () => {
    await expectNoLeak("stopGradient", () => {
      const x = tf.tensor1d([1.5, -2, 3])
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x)
      expect(values(g)).toEqual([1.5, -2, 3])
      const s = stopGradient(x)
      expect(values(s)).toEqual([1.5, -2, 3])
      tf.dispose([x, g, s])
    })
  })

  it("constantOf: d/dx [x * c(x)] = c(x) with c = ||x|| (the sqrt inside is never differentiated, so x = 0 gives 0, not NaN)", async () => {
    await expectNoLeak("constantOf", () => {
      const norm = (v: tf.Tensor) => tf.sqrt(tf.sum(tf.square(v)))
      const objective = (v: tf.Tensor) => tf.sum(tf.mul(v, constantOf(norm, v)))
      const x = tf.tensor1d([3, 4])
      const g = tf.grad(objective)(x)
      expect(values(g)).toEqual([5, 5])
      const zero = tf.zeros([2])
      const g0 = tf.grad(objective)(zero)
      expect(values(g0)).toEqual([0, 0])
      tf.dispose([x, g, zero, g0])
    })
  })

  it("constantOf may use ops without a gradient (equal), which a plain stop on the output could not", () => {
    const x = tf.tensor1d([0, 2])
    const g = tf.grad((v: tf.Tensor) =>
      tf.sum(
        tf.mul(
          v,
          constantOf((a) => tf.cast(tf.equal(a, 0), "float32"), v)
        )
      )
    )(x)
    expect(values(g)).toEqual([1, 0])
    tf.dispose([x, g])
  })
})
