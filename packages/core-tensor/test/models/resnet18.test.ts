import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { ModelParamError, ModelSpecError, Rng, disposeOutput, disposeParams, makeModel, paramCount, resnet, resnet18 } from "../../src/index.js"
import { expectAllClose, filledLike, hostParams, logitsFromFeatures } from "./helpers.js"
import { type Image, addImages, channelStats, convJs, denseFlatJs, globalAverageJs, image, mapImage, normaliseJs, relu } from "./reference.js"

type Host = Record<string, Float64Array>

/**
 * ResNet-18 (CIFAR form) in plain JS over a batch: conv (PyTorch padding (k-1)/2) + batch norm
 * per unit; training mode uses the batch statistics and returns PyTorch's moving update.
 */
const resnetJs = (
  xs: readonly Image[],
  p: Host,
  state: Host,
  width: number,
  numClasses: number,
  training: boolean,
  perStage: readonly number[] = [2, 2, 2, 2]
) => {
  const newState: Host = {}
  const unit = (conv: string, bn: string, batch: readonly Image[], k: number, out: number, stride: number): Image[] => {
    const y = batch.map((m) => convJs(m, p[`${conv}/kernel`]!, k, out, stride, (k - 1) / 2))
    const mm = state[`${bn}/moving_mean`]!
    const mv = state[`${bn}/moving_var`]!
    let mean = Array.from(mm)
    let variance = Array.from(mv)
    if (training) {
      const s = channelStats(y)
      mean = s.mean
      variance = s.variance
      newState[`${bn}/moving_mean`] = Float64Array.from(mm, (v, c) => 0.9 * v + 0.1 * s.mean[c]!)
      newState[`${bn}/moving_var`] = Float64Array.from(mv, (v, c) => 0.9 * v + 0.1 * s.variance[c]! * (s.count / (s.count - 1)))
    }
    return y.map((m) => normaliseJs(m, mean, variance, p[`${bn}/gamma`]!, p[`${bn}/beta`]!))
  }
  let a = unit("stem/conv", "stem/bn", xs, 3, width, 1).map((m) => mapImage(m, relu))
  let channels = width
  perStage.forEach((count, s) => {
    for (let b = 0; b < count; b++) {
      const out = width * 2 ** s
      const stride = b === 0 && s > 0 ? 2 : 1
      const name = `stage${s + 1}/block${b}`
      const h = unit(`${name}/conv1`, `${name}/bn1`, a, 3, out, stride).map((m) => mapImage(m, relu))
      const r = unit(`${name}/conv2`, `${name}/bn2`, h, 3, out, 1)
      const short = stride !== 1 || channels !== out ? unit(`${name}/shortcut/conv`, `${name}/shortcut/bn`, a, 1, out, stride) : a
      a = r.map((m, i) => mapImage(addImages(m, short[i]!), relu))
      channels = out
    }
  })
  const features = a.map(globalAverageJs)
  const logits = features.map((f) => denseFlatJs(f, p["head/kernel"]!, numClasses, p["head/bias"]))
  return { features, logits, newState }
}

describe("resnet18", () => {
  const width = 2
  const numClasses = 3
  const model = resnet18({ width, numClasses, inputShape: [8, 8, 3] })

  /** Known parameters and state with non-trivial gammas, betas and moving statistics. */
  const fixture = () => {
    const rng = new Rng(21)
    const init = model.init(new Rng(20))
    const initState = model.initState()
    const params = filledLike(init, (k) =>
      k.endsWith("/gamma") ? 0.5 + rng.uniform() : k.endsWith("/beta") ? rng.uniform() - 0.5 : 0.8 * (rng.uniform() - 0.5)
    )
    const state = filledLike(initState, (k) => (k.endsWith("/moving_var") ? 0.5 + rng.uniform() : 0.3 * rng.normal()))
    disposeParams(init, initState)
    const xs = [0, 1, 2].map(() =>
      image(
        8,
        8,
        3,
        Array.from({ length: 192 }, () => rng.normal())
      )
    )
    const x = tf.tensor4d(
      xs.flatMap((m) => Array.from(m.data)),
      [3, 8, 8, 3]
    )
    return { params, state, xs, x }
  }

  it("matches a plain-JS forward pass in evaluation mode (moving statistics) and returns the state as given", () => {
    const { params, state, xs, x } = fixture()
    const out = model.apply(params, x, { training: false, state })
    const ref = resnetJs(xs, hostParams(params), hostParams(state), width, numClasses, false)
    expectAllClose(out.features.dataSync(), ref.features.flat(), 1e-4, 1e-3)
    expectAllClose(out.logits.dataSync(), ref.logits.flat(), 1e-4, 1e-3)
    expect(logitsFromFeatures(out, params, model)).toEqual(out.logits.arraySync())
    expect(out.state).toBe(state)
    disposeOutput(out, state)
    disposeParams(params, state)
    x.dispose()
  })

  it("matches a plain-JS forward pass in training mode (batch statistics) with PyTorch's moving update", () => {
    const { params, state, xs, x } = fixture()
    const out = model.apply(params, x, { training: true, state })
    const ref = resnetJs(xs, hostParams(params), hostParams(state), width, numClasses, true)
    expectAllClose(out.features.dataSync(), ref.features.flat(), 1e-4, 1e-3)
    expectAllClose(out.logits.dataSync(), ref.logits.flat(), 1e-4, 1e-3)
    expect(Object.keys(out.state)).toEqual(Object.keys(state))
    for (const k of Object.keys(state)) expectAllClose(out.state[k]!.dataSync(), ref.newState[k]!, 1e-5, 1e-4)
    // The input state is left untouched (a new state is returned).
    expect(out.state["stem/bn/moving_mean"]).not.toBe(state["stem/bn/moving_mean"])
    expect(Array.from(state["stem/bn/moving_mean"]!.dataSync())).toEqual(Array.from(hostParams(state)["stem/bn/moving_mean"]!, Math.fround))
    disposeOutput(out)
    disposeParams(params, state)
    x.dispose()
  })

  it("needs its batch-norm state", () => {
    const p = model.init(new Rng(0))
    const x = tf.zeros([2, 8, 8, 3])
    expect(() => model.apply(p, x, { training: true })).toThrow(ModelParamError)
    expect(() => model.apply(p, x, { training: true })).toThrow(/stem\/bn\/moving_mean" is missing from the states/)
    disposeParams(p)
    x.dispose()
  })

  it("is, at full size, the CIFAR ResNet-18: 11,173,962 parameters, 512 features, 20 batch norms", () => {
    const full = resnet18()
    expect(full.featureDim).toBe(512)
    const p = full.init(new Rng(0))
    const s = full.initState()
    // The parameter count PyTorch reports for the CIFAR ResNet-18 with 10 classes.
    expect(paramCount(p)).toBe(11173962)
    expect(Object.keys(s)).toHaveLength(40)
    expect(p["stem/conv/kernel"]!.shape).toEqual([3, 3, 3, 64])
    expect(p["stage2/block0/conv1/kernel"]!.shape).toEqual([3, 3, 64, 128])
    expect(p["stage2/block0/shortcut/conv/kernel"]!.shape).toEqual([1, 1, 64, 128])
    expect(p["stage1/block0/shortcut/conv/kernel"]).toBeUndefined()
    expect(p["stage4/block1/conv2/kernel"]!.shape).toEqual([3, 3, 512, 512])
    expect(p["head/kernel"]!.shape).toEqual([512, 10])
    expect(Array.from(s["stage3/block1/bn2/moving_var"]!.dataSync()).every((v) => v === 1)).toBe(true)
    expect(Array.from(p["stem/bn/gamma"]!.dataSync()).every((v) => v === 1)).toBe(true)
    const x = tf.zeros([1, 32, 32, 3])
    const out = full.apply(p, x, { training: false, state: s })
    expect(out.logits.shape).toEqual([1, 10])
    expect(out.features.shape).toEqual([1, 512])
    expect(out.activations["stem"]!.shape).toEqual([1, 32, 32, 64])
    expect(out.activations["stage2/block0"]!.shape).toEqual([1, 16, 16, 128])
    expect(out.activations["stage4/block1"]!.shape).toEqual([1, 4, 4, 512])
    disposeOutput(out, s)
    disposeParams(p, s)
    x.dispose()
  })
})

describe("resnet (any number of BasicBlocks per stage)", () => {
  it("a ResNet-8 ([1, 1, 1]) matches the plain-JS forward pass in training mode, moving update included", () => {
    const model = resnet({ blocks: [1, 1, 1], width: 2, numClasses: 3, inputShape: [8, 8, 3] })
    const rng = new Rng(5)
    const init = model.init(new Rng(4))
    const params = filledLike(init, (k) =>
      k.endsWith("/gamma") ? 0.5 + rng.uniform() : k.endsWith("/beta") ? rng.uniform() - 0.5 : 0.8 * (rng.uniform() - 0.5)
    )
    const state = model.initState()
    const xs = [0, 1, 2].map(() =>
      image(
        8,
        8,
        3,
        Array.from({ length: 192 }, () => rng.normal())
      )
    )
    const x = tf.tensor4d(
      xs.flatMap((m) => Array.from(m.data)),
      [3, 8, 8, 3]
    )
    const out = model.apply(params, x, { training: true, state })
    const ref = resnetJs(xs, hostParams(params), hostParams(state), 2, 3, true, [1, 1, 1])
    expect(model.featureDim).toBe(8)
    expectAllClose(out.features.dataSync(), ref.features.flat(), 1e-4, 1e-3)
    expectAllClose(out.logits.dataSync(), ref.logits.flat(), 1e-4, 1e-3)
    for (const k of Object.keys(state)) expectAllClose(out.state[k]!.dataSync(), ref.newState[k]!, 1e-5, 1e-4)
    expect(Object.keys(params).filter((k) => k.includes("block1"))).toEqual([])
    disposeOutput(out)
    disposeParams(init, params, state)
    x.dispose()
  })

  it("ResNet-8 at width 16 has 78,042 parameters (counted by hand); [2, 2, 2, 2] is ResNet-18; bad blocks are named", () => {
    // stem 432 + 32; stage1 2 x 2,304 + 64; stage2 4,608 + 9,216 + 512 + 192; stage3 18,432 + 36,864 + 2,048 + 384; head 650
    const r8 = makeModel({ kind: "resnet", blocks: [1, 1, 1], width: 16 }, { inputShape: [32, 32, 3], numClasses: 10 })
    const p = r8.init(new Rng(0))
    expect(paramCount(p)).toBe(78042)
    expect(r8.featureDim).toBe(64)
    expect(r8.name).toBe("resnet(blocks 1-1-1, width 16, 10 classes)")
    disposeParams(p)
    expect(resnet({ blocks: [2, 2, 2, 2], width: 2 }).name).toBe(resnet18({ width: 2 }).name)
    expect(() => resnet({ blocks: [1, 1, 1, 1, 1] })).toThrow(/resnet.blocks: at most 4 stages/)
    expect(() => makeModel({ kind: "resnet", blocks: [1, 0] } as never, { inputShape: [32, 32, 3], numClasses: 10 })).toThrow(ModelSpecError)
  })
})
