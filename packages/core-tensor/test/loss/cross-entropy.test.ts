import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { LabelMismatchError, accuracy, expectNoLeak, logitTerm, meanCrossEntropy, perExampleCorrect, perExampleCrossEntropy } from "../../src/index.js"
import { assertLabelsInRange } from "../../src/loss/validate.js"

/** float64 reference: -z_y + log sum exp z. */
const ce = (z: number[], y: number): number => {
  const m = Math.max(...z)
  return -(z[y]! - m) + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0))
}

const logits = [
  [1, 2, 3],
  [0, 0, 0],
  [-1.5, 0.25, 4]
]
const labels = [2, 1, 0]

describe("cross-entropy", () => {
  it("matches the float64 formula per example and on average", async () => {
    await expectNoLeak("ce", () =>
      tf.tidy(() => {
        const z = tf.tensor2d(logits)
        const y = tf.tensor1d(labels, "int32")
        const per = Array.from(perExampleCrossEntropy(z, y).dataSync())
        const want = logits.map((row, i) => ce(row, labels[i]!))
        per.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5))
        expect(want[1]).toBeCloseTo(Math.log(3), 12)
        expect(meanCrossEntropy(z, y).dataSync()[0]).toBeCloseTo(want.reduce((a, b) => a + b) / 3, 5)
      })
    )
  })

  it("is stable for huge logits (no Inf or NaN)", () => {
    tf.tidy(() => {
      const v = perExampleCrossEntropy(
        tf.tensor2d([
          [1000, 0],
          [0, 1000]
        ]),
        tf.tensor1d([1, 1], "int32")
      ).dataSync()
      expect(v[0]).toBeCloseTo(1000, 3)
      expect(v[1]).toBeCloseTo(0, 6)
    })
  })

  it("has gradient logitTerm / batch with respect to the logits", () => {
    tf.tidy(() => {
      const z = tf.tensor2d(logits)
      const y = tf.tensor1d(labels, "int32")
      const g = tf
        .grad((zz: tf.Tensor) => meanCrossEntropy(zz as tf.Tensor2D, y))(z)
        .arraySync() as number[][]
      // u = softmax - onehot, computed here in float64
      logits.forEach((row, i) => {
        const m = Math.max(...row)
        const e = row.map((v) => Math.exp(v - m))
        const s = e.reduce((a, b) => a + b)
        row.forEach((_, k) => expect(g[i]![k]).toBeCloseTo((e[k]! / s - (k === labels[i] ? 1 : 0)) / 3, 6))
      })
      const u = logitTerm(z, y).arraySync() as number[][]
      u.forEach((row, i) => row.forEach((v, k) => expect(v / 3).toBeCloseTo(g[i]![k]!, 6)))
    })
  })

  it("rejects labels that do not fit the batch, with a typed error naming the call", () => {
    tf.tidy(() => {
      const z = tf.tensor2d(logits)
      const short = () => perExampleCrossEntropy(z, tf.tensor1d([0, 1], "int32"))
      expect(short).toThrow(LabelMismatchError)
      expect(short).toThrow(/perExampleCrossEntropy: 2 labels for a batch of 3/)
      expect(() => logitTerm(z, tf.tensor1d([0, 1, 2], "float32"))).toThrow(/int32/)
      expect(() => meanCrossEntropy(tf.tensor1d([1, 2]) as never, tf.tensor1d([0], "int32"))).toThrow(LabelMismatchError)
      expect(() => assertLabelsInRange(tf.tensor1d([0, 3, 1], "int32"), 3, "here")).toThrow(/here: label 3 of example 1 is outside \[0, 3\)/)
    })
  })
})

describe("accuracy", () => {
  it("counts arg-max hits", () => {
    tf.tidy(() => {
      const z = tf.tensor2d(logits)
      // arg-maxes are 2, 0 (tie -> lowest), 2
      expect(Array.from(perExampleCorrect(z, tf.tensor1d(labels, "int32")).dataSync())).toEqual([1, 0, 0])
      expect(accuracy(z, tf.tensor1d([2, 0, 2], "int32"))).toBe(1)
      expect(accuracy(z, tf.tensor1d(labels, "int32"))).toBeCloseTo(1 / 3, 12)
    })
  })
})
