import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { disposeParams, expectNoLeak, valueAndGradParams, valueAndGradParamsWithAux } from "../../src/index.js"

describe("valueAndGradParams", () => {
  it("matches central finite differences (float64 on the host) on a small nonlinear loss", async () => {
    const a0 = [0.3, -1.2, 0.7]
    const b0 = [
      [0.5, -0.25],
      [1.5, 0.1],
      [-0.4, 0.9]
    ]
    // L(a, B) = sum_j tanh(sum_i a_i B_ij)^2 + 0.5 * sum_i a_i^2
    const hostLoss = (a: number[], b: number[][]) =>
      [0, 1].reduce((s, j) => s + Math.tanh(a.reduce((t, ai, i) => t + ai * b[i]![j]!, 0)) ** 2, 0) + 0.5 * a.reduce((s, v) => s + v * v, 0)
    await expectNoLeak("valueAndGradParams", () => {
      const params = { a: tf.tensor2d([a0]), B: tf.tensor2d(b0) }
      const { value, grads } = valueAndGradParams(
        (p) =>
          tf.tidy(() => tf.add(tf.sum(tf.square(tf.tanh(tf.matMul(p["a"]!, p["B"]! as tf.Tensor2D)))), tf.mul(0.5, tf.sum(tf.square(p["a"]!)))) as tf.Scalar),
        params
      )
      expect(value.dataSync()[0]).toBeCloseTo(hostLoss(a0, b0), 5)
      const h = 1e-6
      const ga = grads["a"]!.dataSync()
      a0.forEach((_, i) => {
        const up = a0.map((v, k) => (k === i ? v + h : v))
        const dn = a0.map((v, k) => (k === i ? v - h : v))
        expect(ga[i]).toBeCloseTo((hostLoss(up, b0) - hostLoss(dn, b0)) / (2 * h), 4)
      })
      const gB = grads["B"]!.arraySync() as number[][]
      b0.forEach((row, i) =>
        row.forEach((_, j) => {
          const up = b0.map((r, k) => r.map((v, l) => (k === i && l === j ? v + h : v)))
          const dn = b0.map((r, k) => r.map((v, l) => (k === i && l === j ? v - h : v)))
          expect(gB[i]![j]).toBeCloseTo((hostLoss(a0, up) - hostLoss(a0, dn)) / (2 * h), 4)
        })
      )
      value.dispose()
      disposeParams(grads, params)
    })
  })

  it("gives zeros for params the loss ignores, keeps key order, returns aux copies", async () => {
    await expectNoLeak("aux", () => {
      const external = tf.tensor1d([7])
      const params = { unused: tf.tensor1d([1, 2]), w: tf.tensor1d([3]) }
      const { value, grads, aux } = valueAndGradParamsWithAux((p) => {
        const y = tf.mul(p["w"]!, 2)
        return { loss: tf.sum(tf.square(y)) as tf.Scalar, aux: { y, external } }
      }, params)
      expect(Object.keys(grads)).toEqual(["unused", "w"])
      expect(Array.from(grads["unused"]!.dataSync())).toEqual([0, 0])
      expect(grads["w"]!.dataSync()[0]).toBeCloseTo(24, 5) // d/dw (2w)^2 = 8w
      expect(aux.y.dataSync()[0]).toBe(6)
      expect(aux.external).not.toBe(external) // a copy: the caller's tensor is not handed back
      aux.external.dispose()
      expect(external.isDisposed).toBe(false)
      disposeParams(grads, params, aux)
      value.dispose()
      external.dispose()
    })
  })

  it("frees everything when the loss function throws", async () => {
    await expectNoLeak("throw", () => {
      const params = { w: tf.tensor1d([1]) }
      expect(() =>
        valueAndGradParams((p) => {
          tf.mul(p["w"]!, 3)
          throw new Error("boom")
        }, params)
      ).toThrow("boom")
      disposeParams(params)
    })
  })
})
