import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { ModelInputError, ModelParamError, ModelSpecError, Rng, disposeOutput, disposeParams, expectNoLeak, mlp, referenceMlp } from "../../src/index.js"
import { denseJs, logitsFromFeatures, matrix, tanh } from "./helpers.js"

describe("mlp", () => {
  it("names its params dense_i/kernel, dense_i/bias, ..., head/kernel, head/bias in order, [in, out] kernels", () => {
    const model = mlp({ inputDim: 5, hidden: [4, 3], numClasses: 2 })
    const p = model.init(new Rng(1))
    expect(Object.keys(p)).toEqual(["dense_0/kernel", "dense_0/bias", "dense_1/kernel", "dense_1/bias", "head/kernel", "head/bias"])
    expect(Object.values(p).map((t) => t.shape)).toEqual([[5, 4], [4], [4, 3], [3], [3, 2], [2]])
    expect(model.featureDim).toBe(3)
    expect(model.headWeight).toBe("head/kernel")
    expect(model.headBias).toBe("head/bias")
    expect(model.inputShape).toEqual([5])
    disposeParams(p)
  })

  it("computes h = act(h W + b) and logits = h W_head + b_head, checked against plain JS loops", () => {
    for (const activation of ["relu", "tanh"] as const) {
      const model = mlp({ inputDim: 3, hidden: [2], numClasses: 2, activation })
      const W0 = [
        [0.5, -1],
        [0.25, 0.75],
        [-0.5, 0.1]
      ]
      const b0 = [0.1, -0.2]
      const Wh = [
        [1, -2],
        [0.5, 3]
      ]
      const bh = [0.05, -0.05]
      const params = { "dense_0/kernel": matrix(W0), "dense_0/bias": tf.tensor1d(b0), "head/kernel": matrix(Wh), "head/bias": tf.tensor1d(bh) }
      const xs = [
        [1, 2, 3],
        [-1, 0.5, 2]
      ]
      const out = model.apply(params, matrix(xs), { training: false })
      const act = activation === "relu" ? (v: number) => Math.max(0, v) : tanh
      const feats = xs.map((x) => denseJs(x, W0, b0).map(act))
      const logits = feats.map((h) => denseJs(h, Wh, bh))
      expect(out.features.arraySync()).toEqual(feats.map((r) => r.map((v) => expect.closeTo(v, 6))))
      expect(out.logits.arraySync()).toEqual(logits.map((r) => r.map((v) => expect.closeTo(v, 6))))
      expect(Object.keys(out.activations)).toEqual(["dense_0"])
      expect(out.activations["dense_0"]!.arraySync()).toEqual(out.features.arraySync())
      expect(logitsFromFeatures(out, params, model)).toEqual(out.logits.arraySync())
      disposeOutput(out)
      disposeParams(params)
    }
  })

  it("flattens image input [batch, 2, 2, 3] to [batch, 12] in row-major (h, w, c) order", () => {
    const model = mlp({ inputDim: 12, hidden: [], numClasses: 2 })
    const p = model.init(new Rng(3))
    const x = tf.tensor4d(
      Array.from({ length: 24 }, (_, i) => i / 10),
      [2, 2, 2, 3]
    )
    const out = model.apply(p, x, { training: true })
    expect(out.features.shape).toEqual([2, 12])
    expect(Array.from(out.features.dataSync())).toEqual(Array.from(x.dataSync()))
    disposeOutput(out)
    expect(x.isDisposed).toBe(false)
    x.dispose()
    disposeParams(p)
  })

  it("rejects bad options, a wrong input and a wrong parameter set by name", () => {
    expect(() => mlp({ inputDim: 0, hidden: [], numClasses: 2 })).toThrow(ModelSpecError)
    expect(() => mlp({ inputDim: 4, hidden: [3, -1], numClasses: 2 })).toThrow(/mlp\.hidden\[1\]/)
    expect(() => mlp({ inputDim: 4, hidden: [3], numClasses: 2, activation: "gelu" as never })).toThrow(/mlp\.activation/)
    const model = mlp({ inputDim: 4, hidden: [3], numClasses: 2 })
    const p = model.init(new Rng(0))
    const bad = tf.zeros([2, 5])
    expect(() => model.apply(p, bad, { training: false })).toThrow(ModelInputError)
    const { "dense_0/bias": _drop, ...missing } = p
    const x = tf.zeros([2, 4])
    expect(() => model.apply(missing, x, { training: false })).toThrow(ModelParamError)
    expect(() => model.apply(missing, x, { training: false })).toThrow(/dense_0\/bias/)
    const wrongHead = tf.zeros([3, 5])
    expect(() => model.apply({ ...p, "head/kernel": wrongHead }, x, { training: false })).toThrow(
      /"head\/kernel" has shape \[3, 5\] where \[3, 2\] was expected/
    )
    wrongHead.dispose()
    disposeParams(p)
    tf.dispose([bad, x])
  })

  it("referenceMlp is 3072-512-512-10 ReLU with PyTorch-default init bounds", () => {
    const model = referenceMlp()
    const p = model.init(new Rng(7))
    expect(Object.values(p).map((t) => t.shape)).toEqual([[3072, 512], [512], [512, 512], [512], [512, 10], [10]])
    const k0 = p["dense_0/kernel"]!.dataSync()
    const bound = 1 / Math.sqrt(3072)
    let max = 0
    for (const v of k0) max = Math.max(max, Math.abs(v))
    expect(max).toBeLessThanOrEqual(bound)
    expect(max).toBeGreaterThan(0.99 * bound)
    const out = model.apply(p, tf.zeros([2, 32, 32, 3]), { training: false })
    expect(out.logits.shape).toEqual([2, 10])
    expect(out.features.shape).toEqual([2, 512])
    disposeOutput(out)
    disposeParams(p)
  })

  it("leaks nothing across apply + disposeOutput", async () => {
    const model = mlp({ inputDim: 4, hidden: [3, 3], numClasses: 2 })
    const p = model.init(new Rng(0))
    const x = tf.ones([2, 4])
    await expectNoLeak("mlp apply", () => disposeOutput(model.apply(p, x, { training: true })))
    disposeParams(p)
    x.dispose()
  })
})
