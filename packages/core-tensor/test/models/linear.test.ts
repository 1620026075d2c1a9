import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { ModelSpecError, Rng, disposeOutput, disposeParams, linear, twoLayerLinear } from "../../src/index.js"
import { denseJs, logitsFromFeatures, matrix } from "./helpers.js"

describe("linear", () => {
  it("features are the flattened input, the head is the only layer: logits = x W + b by hand", () => {
    const model = linear({ inputDim: 4, numClasses: 3 })
    expect(model.featureDim).toBe(4)
    const W = [
      [1, 0, -1],
      [0.5, 2, 0],
      [0, -0.25, 1],
      [3, 1, 0.5]
    ]
    const b = [0.1, 0.2, -0.3]
    const params = { "head/kernel": matrix(W), "head/bias": tf.tensor1d(b) }
    // One example as a 2x2x1 image: flattening must give [1, 2, 3, 4] (row-major).
    const x = tf.tensor4d([1, 2, 3, 4, -1, 0, 0.5, 2], [2, 2, 2, 1])
    const out = model.apply(params, x, { training: false })
    expect(out.features.arraySync()).toEqual([
      [1, 2, 3, 4],
      [-1, 0, 0.5, 2]
    ])
    // x0 W + b = [1 + 1 + 0 + 12 + 0.1, 0 + 4 - 0.75 + 4 + 0.2, -1 + 0 + 3 + 2 - 0.3]
    expect((out.logits.arraySync() as number[][])[0]).toEqual([14.1, 7.45, 3.7].map((v) => expect.closeTo(v, 5)))
    expect((out.logits.arraySync() as number[][])[1]).toEqual(denseJs([-1, 0, 0.5, 2], W, b).map((v) => expect.closeTo(v, 5)))
    expect(logitsFromFeatures(out, params, model)).toEqual(out.logits.arraySync())
    expect(Object.keys(model.init(new Rng(0)))).toEqual(["head/kernel", "head/bias"])
    disposeOutput(out)
    disposeParams(params)
    x.dispose()
  })

  it("rejects a bad inputDim by field name", () => {
    expect(() => linear({ inputDim: 2.5, numClasses: 3 })).toThrow(ModelSpecError)
    expect(() => linear({ inputDim: 2.5, numClasses: 3 })).toThrow(/linear\.inputDim/)
  })
})

describe("twoLayerLinear", () => {
  it("f(x) = (x W) V with features x W and head V, no biases by default (closed form)", () => {
    const model = twoLayerLinear({ inputDim: 3, hidden: 2, numClasses: 2 })
    expect(model.headWeight).toBe("head/kernel")
    expect(model.headBias).toBeUndefined()
    const init = model.init(new Rng(4))
    expect(Object.keys(init)).toEqual(["dense_0/kernel", "head/kernel"])
    disposeParams(init)
    const W = [
      [1, 2],
      [0, -1],
      [3, 0.5]
    ]
    const V = [
      [2, 0],
      [-1, 1]
    ]
    const params = { "dense_0/kernel": matrix(W), "head/kernel": matrix(V) }
    const x = matrix([
      [1, 1, 1],
      [2, -1, 0]
    ])
    const out = model.apply(params, x, { training: false })
    // x0 W = [4, 1.5], (x0 W) V = [8 - 1.5, 1.5]; x1 W = [2, 5], (x1 W) V = [4 - 5, 5]
    expect(out.features.arraySync()).toEqual([
      [4, 1.5],
      [2, 5]
    ])
    expect(out.logits.arraySync()).toEqual([
      [6.5, 1.5],
      [-1, 5]
    ])
    // The product W V is what the network computes: the same map as one linear layer.
    const WV = W.map((row) => [0, 1].map((j) => row[0]! * V[0]![j]! + row[1]! * V[1]![j]!))
    expect(out.logits.arraySync()).toEqual([denseJs([1, 1, 1], WV), denseJs([2, -1, 0], WV)])
    expect(logitsFromFeatures(out, params, model)).toEqual(out.logits.arraySync())
    expect(out.activations["dense_0"]!.arraySync()).toEqual([
      [4, 1.5],
      [2, 5]
    ])
    disposeOutput(out)
    disposeParams(params)
    x.dispose()
  })

  it("has biases on both layers when asked", () => {
    const model = twoLayerLinear({ inputDim: 3, hidden: 2, numClasses: 2, bias: true })
    expect(model.headBias).toBe("head/bias")
    const params = {
      "dense_0/kernel": matrix([
        [1, 0],
        [0, 1],
        [0, 0]
      ]),
      "dense_0/bias": tf.tensor1d([1, -1]),
      "head/kernel": matrix([
        [1, 1],
        [0, 2]
      ]),
      "head/bias": tf.tensor1d([0.5, 0])
    }
    const x = matrix([[2, 3, 7]])
    const out = model.apply(params, x, { training: false })
    // x W + b = [3, 2]; h V + c = [3 + 0.5, 3 + 4]
    expect(out.features.arraySync()).toEqual([[3, 2]])
    expect(out.logits.arraySync()).toEqual([[3.5, 7]])
    disposeOutput(out)
    disposeParams(params)
    x.dispose()
  })
})
