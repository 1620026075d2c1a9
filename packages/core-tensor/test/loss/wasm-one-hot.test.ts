import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { meanCrossEntropy, selectBackend } from "../../src/index.js"

describe("cross-entropy on the wasm backend", () => {
  it("has the gradient softmax - onehot (tfjs-wasm's float32 OneHot writes int32 bits)", async () => {
    await selectBackend({ backend: "wasm", log: () => {} })
    try {
      const logits = tf.tensor2d([[0, 0, 0]])
      const g = tf.grad((z: tf.Tensor) => meanCrossEntropy(z as tf.Tensor2D, tf.tensor1d([1], "int32")))(logits)
      const third = 1 / 3
      expect(Array.from(g.dataSync())).toEqual([expect.closeTo(third, 6), expect.closeTo(third - 1, 6), expect.closeTo(third, 6)])
    } finally {
      await selectBackend({ backend: "cpu", log: () => {} })
    }
  })
})
