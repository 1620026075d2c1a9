import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { ModelInputError, ModelSpecError, Rng, disposeOutput, disposeParams, paramCount, smallCnn } from "../../src/index.js"
import { expectAllClose, filledLike, hostParams, logitsFromFeatures } from "./helpers.js"
import { type Image, convJs, denseFlatJs, image, mapImage, maxPoolJs, relu } from "./reference.js"

/** The small CNN in plain JS loops: conv 3x3 (pad 1) + ReLU + 2x2 max-pool per block, flatten (h, w, c), dense ReLU, head. */
const smallCnnJs = (x: Image, p: Record<string, Float64Array>, channels: readonly number[], dense: number, numClasses: number) => {
  let a = x
  channels.forEach((out, i) => {
    a = maxPoolJs(mapImage(convJs(a, p[`conv_${i}/kernel`]!, 3, out, 1, 1, p[`conv_${i}/bias`]), relu))
  })
  const features = denseFlatJs(a.data, p["dense_0/kernel"]!, dense, p["dense_0/bias"]).map(relu)
  return { features, logits: denseFlatJs(features, p["head/kernel"]!, numClasses, p["head/bias"]) }
}

describe("smallCnn", () => {
  it("matches a plain-JS forward pass, odd spatial sizes floored by the poolings", () => {
    const channels = [3, 4]
    const model = smallCnn({ numClasses: 3, channels, dense: 5, inputShape: [6, 7, 2] })
    // 6x7 -> pool 3x3 -> pool 1x1: flatten gives 1 * 1 * 4 = 4 values.
    const init = model.init(new Rng(11))
    expect(init["dense_0/kernel"]!.shape).toEqual([4, 5])
    const rng = new Rng(12)
    // Known values of a moderate size, so some ReLUs are active and some not.
    const params = filledLike(init, () => rng.uniform() - 0.4)
    disposeParams(init)
    const xs = [0, 1].map(() =>
      image(
        6,
        7,
        2,
        Array.from({ length: 84 }, () => rng.normal())
      )
    )
    const x = tf.tensor4d(
      xs.flatMap((m) => Array.from(m.data)),
      [2, 6, 7, 2]
    )
    const out = model.apply(params, x, { training: false })
    const host = hostParams(params)
    const expected = xs.map((m) => smallCnnJs(m, host, channels, 5, 3))
    expectAllClose(
      out.features.dataSync(),
      expected.flatMap((e) => e.features)
    )
    expectAllClose(
      out.logits.dataSync(),
      expected.flatMap((e) => e.logits)
    )
    expect(expected.flatMap((e) => e.features).some((v) => v > 0)).toBe(true)
    expect(logitsFromFeatures(out, params, model)).toEqual(out.logits.arraySync())
    expect(Object.keys(out.activations)).toEqual(["conv_0", "pool_0", "conv_1", "pool_1", "dense_0"])
    expect(out.activations["conv_0"]!.shape).toEqual([2, 6, 7, 3])
    expect(out.activations["pool_1"]!.shape).toEqual([2, 1, 1, 4])
    // Flat input [batch, h * w * c] is read as the NHWC image.
    const flat = tf.reshape(x, [2, 84])
    const outFlat = model.apply(params, flat, { training: false })
    expect(outFlat.logits.arraySync()).toEqual(out.logits.arraySync())
    disposeOutput(out)
    disposeOutput(outFlat)
    disposeParams(params)
    tf.dispose([x, flat])
  })

  it("is, at the reference size, three convs 32-64-128, flatten 2048, dense 256 (features), head 256-10", () => {
    const model = smallCnn()
    expect(model.inputShape).toEqual([32, 32, 3])
    expect(model.featureDim).toBe(256)
    const p = model.init(new Rng(0))
    expect(Object.fromEntries(Object.entries(p).map(([k, t]) => [k, t.shape]))).toEqual({
      "conv_0/kernel": [3, 3, 3, 32],
      "conv_0/bias": [32],
      "conv_1/kernel": [3, 3, 32, 64],
      "conv_1/bias": [64],
      "conv_2/kernel": [3, 3, 64, 128],
      "conv_2/bias": [128],
      "dense_0/kernel": [2048, 256],
      "dense_0/bias": [256],
      "head/kernel": [256, 10],
      "head/bias": [10]
    })
    // 896 + 18496 + 73856 + 524544 + 2570, as PyTorch counts the same network.
    expect(paramCount(p)).toBe(620362)
    const x = tf.zeros([1, 32, 32, 3])
    const out = model.apply(p, x, { training: false })
    expect(out.logits.shape).toEqual([1, 10])
    expect(out.features.shape).toEqual([1, 256])
    expect(out.activations["pool_2"]!.shape).toEqual([1, 4, 4, 128])
    disposeOutput(out)
    disposeParams(p)
    x.dispose()
  })

  it("rejects bad options and inputs by name", () => {
    expect(() => smallCnn({ channels: [] })).toThrow(/smallCnn\.channels/)
    expect(() => smallCnn({ dense: 0 })).toThrow(ModelSpecError)
    expect(() => smallCnn({ channels: [4, 4, 4, 4, 4, 4], inputShape: [32, 32, 3] })).toThrow(/smallCnn\.inputShape/)
    const model = smallCnn({ channels: [2], dense: 2, numClasses: 2, inputShape: [4, 4, 1] })
    const p = model.init(new Rng(0))
    const x = tf.zeros([1, 4, 4, 3])
    expect(() => model.apply(p, x, { training: false })).toThrow(ModelInputError)
    expect(() => model.apply(p, x, { training: false })).toThrow(/\[batch, 4, 4, 1\] or \[batch, 16\]/)
    disposeParams(p)
    x.dispose()
  })
})
