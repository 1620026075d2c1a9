import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { TensorTreeError, decodeTensorTree, encodeTensorTree, expectNoLeak } from "../src/index.js"

describe("tensor tree serialisation", () => {
  it("round-trips nested tensors, numbers and strings bit-exactly without leaking", async () => {
    const tree = {
      step: 7,
      name: "sgd",
      momentum: {
        "dense_0/kernel": tf.tensor2d([
          [1.1, -2.5e-8],
          [Math.PI, 3]
        ]),
        "head/bias": tf.tensor1d([0.1])
      },
      counts: [tf.tensor1d([1, 2, 3], "int32"), 4]
    }
    await expectNoLeak("encode/decode", () => {
      const { skeleton, bytes } = encodeTensorTree(tree)
      const back = decodeTensorTree<typeof tree>(JSON.parse(JSON.stringify(skeleton)), bytes)
      expect(back.step).toBe(7)
      expect(back.name).toBe("sgd")
      expect(Array.from(back.momentum["dense_0/kernel"].dataSync())).toEqual(Array.from(tree.momentum["dense_0/kernel"].dataSync()))
      expect(back.momentum["dense_0/kernel"].shape).toEqual([2, 2])
      const counts = back.counts[0] as tf.Tensor
      expect(counts.dtype).toBe("int32")
      expect(Array.from(counts.dataSync())).toEqual([1, 2, 3])
      tf.dispose([back.momentum["dense_0/kernel"], back.momentum["head/bias"], counts])
    })
  })

  it("rejects a blob too short for its skeleton", () => {
    const { skeleton } = encodeTensorTree({ w: tf.ones([4]) })
    expect(() => decodeTensorTree(skeleton, new Uint8Array(8))).toThrow(TensorTreeError)
  })
})
