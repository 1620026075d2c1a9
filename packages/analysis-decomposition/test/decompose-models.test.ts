import { Rng, disposeParams, expectNoLeak, layers, linear, resnet18, twoLayerLinear } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { AnalysisInputError, UnsupportedModelError, decompose } from "../src/index.js"
import { im2col } from "../src/decomposition/view/im2col.js"
import { expectAllClose, naiveDecomposition } from "./reference.js"

/** Plain float64 JS for multinomial logistic regression z = x W + b. */
const linearJs = () => {
  const logits = (x: number[], Wm: number[][], bm: number[]) => bm.map((bj, j) => x.reduce((s, xi, i) => s + xi * Wm[i]![j]!, bj))
  const u = (z: number[], y: number) => {
    const m = Math.max(...z)
    const e = z.map((v) => Math.exp(v - m))
    const s = e.reduce((a, v) => a + v, 0)
    return e.map((v, j) => v / s - (j === y ? 1 : 0))
  }
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, a) => s + a * a, 0))
  /** Example i's gradient (kernel entries row-major, then bias): x_i (x) u_i and u_i. */
  const grad = (x: number[], ui: number[]) => [...x.flatMap((xi) => ui.map((uj) => xi * uj)), ...ui]
  return { logits, u, norm, grad }
}

describe("linear model: hand-computed decomposition", () => {
  it("gradNorm = ||u|| sqrt(||x||^2 + 1), the Jacobian factor is 1 and the logit factor is ||u(w + eps)|| / ||u(w)||", async () => {
    const model = linear({ inputDim: 3, numClasses: 3 })
    const rng = new Rng(11)
    const params = model.init(rng.fork("init"))
    const xs = [
      [1, -2, 0.5],
      [0.3, 0.1, -1],
      [2, 1, 1],
      [-1, 0, 0.25]
    ]
    const ys = [0, 2, 1, 2]
    const x = tf.tensor2d(xs)
    const W = params["head/kernel"]!.arraySync() as number[][]
    const b = params["head/bias"]!.arraySync() as number[]
    const js = linearJs()
    const rho = 0.7
    for (const chunkSize of [1, 4]) {
      const got = await expectNoLeak("decompose", () => decompose(model, params, x, ys, { perturbation: { rho, chunkSize } }))
      const uW = xs.map((xi, i) => js.u(js.logits(xi, W, b), ys[i]!))
      // eps per chunk: rho g / ||g|| with g the chunk's mean gradient, in plain JS.
      const uE: number[][] = []
      for (let s = 0; s < xs.length; s += chunkSize) {
        const idx = [...Array(Math.min(chunkSize, xs.length - s)).keys()].map((j) => s + j)
        const g = idx.map((i) => js.grad(xs[i]!, uW[i]!)).reduce((acc, gi) => acc.map((v, j) => v + gi[j]! / idx.length), new Array<number>(12).fill(0))
        const scale = rho / (js.norm(g) + 1e-12)
        const We = W.map((row, r) => row.map((v, c) => v + scale * g[r * 3 + c]!))
        const be = b.map((v, c) => v + scale * g[9 + c]!)
        for (const i of idx) uE.push(js.u(js.logits(xs[i]!, We, be), ys[i]!))
      }
      const lift = xs.map((xi) => Math.sqrt(js.norm(xi) ** 2 + 1))
      expectAllClose(
        got.gradNorm,
        uW.map((u, i) => js.norm(u) * lift[i]!),
        `gradNorm (chunk ${chunkSize})`
      )
      expectAllClose(
        got.samGradNorm,
        uE.map((u, i) => js.norm(u) * lift[i]!),
        `samGradNorm (chunk ${chunkSize})`
      )
      expectAllClose(got.jacobianFactor, [1, 1, 1, 1], `jacobianFactor (chunk ${chunkSize})`)
      expectAllClose(
        got.logitFactor,
        uE.map((u, i) => js.norm(u) / js.norm(uW[i]!)),
        `logitFactor (chunk ${chunkSize})`
      )
      expectAllClose(got.logitTermNorm, uW.map(js.norm), "logitTermNorm")
      expectAllClose(got.samFactor, got.logitFactor, "samFactor")
    }
    disposeParams(params)
    x.dispose()
  })
})

describe("other models against the naive loop", () => {
  it("two-layer linear network (no biases), layered engine", async () => {
    const model = twoLayerLinear({ inputDim: 5, hidden: 4, numClasses: 3 })
    const rng = new Rng(3)
    const params = model.init(rng.fork("init"))
    const x = tf.tensor2d(rng.fork("x").normalArray(6 * 5), [6, 5])
    const ys = [0, 1, 2, 2, 1, 0]
    const got = await expectNoLeak("decompose", () => decompose(model, params, x, ys, { perturbation: { rho: 0.4, chunkSize: 1 } }))
    expect(got.engine).toBe("layered")
    const want = naiveDecomposition(model, params, x, ys, { rho: 0.4, chunkSize: 1 })
    expectAllClose(got.samGradNorm, want.samGradNorm, "samGradNorm")
    expectAllClose(got.jacobianOnlyGradNorm, want.jacobianOnlyGradNorm, "jacobianOnlyGradNorm")
    expectAllClose(got.logitOnlyGradNorm, want.logitOnlyGradNorm, "logitOnlyGradNorm")
    disposeParams(params)
    x.dispose()
  })

  it("tiny resnet18 with non-trivial batch-norm statistics: auto picks the loop engine", async () => {
    const model = resnet18({ width: 2, numClasses: 3, inputShape: [8, 8, 3] })
    const rng = new Rng(5)
    const params = model.init(rng.fork("init"))
    const fresh = model.initState()
    const drawn = rng.fork("state")
    const state = Object.fromEntries(
      Object.entries(fresh).map(([k, t]) => [
        k,
        k.endsWith("moving_var") ? tf.tensor(drawn.uniformArray(t.size, 0.5, 2), t.shape) : tf.tensor(drawn.normalArray(t.size, 0, 0.3), t.shape)
      ])
    )
    disposeParams(fresh)
    const x = tf.tensor(rng.fork("x").normalArray(3 * 8 * 8 * 3), [3, 8, 8, 3])
    const ys = [2, 0, 1]
    const got = await expectNoLeak("decompose", () =>
      decompose(model, params, x, ys, { perturbation: { rho: 0.3, chunkSize: 3 }, state, layers: ["stage4/block1/conv2", "head"] })
    )
    expect(got.engine).toBe("loop")
    const keep = (name: string) => name.startsWith("stage4/block1/conv2/") || name.startsWith("head/")
    const want = naiveDecomposition(model, params, x, ys, { rho: 0.3, chunkSize: 3, state, keep })
    expectAllClose(got.gradNorm, want.gradNorm, "gradNorm")
    expectAllClose(got.samGradNorm, want.samGradNorm, "samGradNorm")
    expectAllClose(got.jacobianOnlyGradNorm, want.jacobianOnlyGradNorm, "jacobianOnlyGradNorm")
    expectAllClose(got.logitOnlyGradNorm, want.logitOnlyGradNorm, "logitOnlyGradNorm")
    disposeParams(params, state)
    x.dispose()
  })

  it("a given eps is used for every example", async () => {
    const model = twoLayerLinear({ inputDim: 4, hidden: 3, numClasses: 2, bias: true })
    const rng = new Rng(9)
    const params = model.init(rng.fork("init"))
    const eps = model.init(rng.fork("eps"))
    const x = tf.tensor2d(rng.fork("x").normalArray(5 * 4), [5, 4])
    const ys = [0, 1, 1, 0, 1]
    const got = await expectNoLeak("decompose", () => decompose(model, params, x, ys, { perturbation: { eps }, batchSize: 2 }))
    const want = naiveDecomposition(model, params, x, ys, { eps })
    expectAllClose(got.samGradNorm, want.samGradNorm, "samGradNorm")
    expectAllClose(got.jacobianOnlyGradNorm, want.jacobianOnlyGradNorm, "jacobianOnlyGradNorm")
    expectAllClose(got.logitOnlyGradNorm, want.logitOnlyGradNorm, "logitOnlyGradNorm")
    disposeParams(params, eps)
    x.dispose()
  })

  it("rho = 0 gives factors of exactly 1 and a zero gradient gives eps = 0", async () => {
    const model = linear({ inputDim: 2, numClasses: 2 })
    const params = { "head/kernel": tf.zeros([2, 2]), "head/bias": tf.zeros([2]) }
    // Two examples whose gradients cancel: the chunk gradient is zero, so eps is zero, not NaN.
    const x = tf.tensor2d([
      [1, 0],
      [1, 0]
    ])
    const got = decompose(model, params, x, [0, 1], { perturbation: { rho: 0.5, chunkSize: 2 } })
    expect(Array.from(got.samFactor)).toEqual([1, 1])
    const zero = decompose(model, params, x, [0, 1], { perturbation: { rho: 0, chunkSize: 1 } })
    expect(Array.from(zero.jacobianFactor)).toEqual([1, 1])
    expect(Array.from(zero.logitFactor)).toEqual([1, 1])
    disposeParams(params)
    x.dispose()
  })
})

describe("im2col", () => {
  it("patches @ reshaped kernel equals core-tensor's conv2d (and so do their input gradients), stride 1 and 2, odd sizes", () => {
    const rng = new Rng(1)
    for (const [size, stride, h, w] of [
      [3, 1, 5, 4],
      [3, 2, 7, 6],
      [1, 2, 5, 5],
      [5, 2, 6, 9]
    ] as const) {
      tf.tidy(() => {
        const c = 2
        const out = 3
        const x = tf.tensor4d(rng.normalArray(2 * h * w * c), [2, h, w, c])
        const kernel = tf.tensor4d(rng.normalArray(size * size * c * out), [size, size, c, out])
        const spec = { size, stride, inChannels: c, outChannels: out, bias: false }
        const want = layers.conv2d({ "k/kernel": kernel }, "k", x, spec)
        const got = tf.matMul(im2col(x, size, stride), tf.reshape(kernel, [size * size * c, out]))
        expect(want.shape.slice(1, 3)).toEqual([layers.convOutSize(h, size, stride), layers.convOutSize(w, size, stride)])
        expectAllClose(got.dataSync(), tf.reshape(want, got.shape).dataSync(), `conv ${size}x${size} stride ${stride}`)
        // Its gradient (col2im) against tfjs's own convolution input gradient.
        const r = tf.tensor(rng.normalArray(want.size), want.shape)
        const viaConv = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(layers.conv2d({ "k/kernel": kernel }, "k", xx as tf.Tensor4D, spec), r)))(x)
        const viaPatches = tf.grad((xx: tf.Tensor) =>
          tf.sum(tf.mul(tf.matMul(im2col(xx as tf.Tensor4D, size, stride), tf.reshape(kernel, [size * size * c, out])), tf.reshape(r, got.shape)))
        )(x)
        expectAllClose(viaPatches.dataSync(), viaConv.dataSync(), `gradient ${size}x${size} stride ${stride}`)
      })
    }
  })
})

describe("bad input", () => {
  const model = linear({ inputDim: 2, numClasses: 3 })
  const run =
    (labels: number[], perturbation: unknown, extra: object = {}) =>
    () => {
      const params = model.init(new Rng(1))
      const x = tf.tensor2d([
        [1, 2],
        [3, 4]
      ])
      try {
        return decompose(model, params, x, labels, { perturbation: perturbation as never, ...extra })
      } finally {
        disposeParams(params)
        x.dispose()
      }
    }
  it("names the offending field", () => {
    expect(run([0, 3], { rho: 0.1, chunkSize: 1 })).toThrow(/labels\[1\] is 3, outside 0..2/)
    expect(run([0], { rho: 0.1, chunkSize: 1 })).toThrow(/labels has 1 entries for 2 examples/)
    expect(run([0, 1], { rho: -1, chunkSize: 1 })).toThrow(AnalysisInputError)
    expect(run([0, 1], { rho: 0.1, chunkSize: 0 })).toThrow(/perturbation.chunkSize must be a positive integer/)
    expect(run([0, 1], { rho: 0.1, chunkSize: 1 }, { batchSize: 1.5 })).toThrow(/batchSize/)
    expect(run([0, 1], { rho: 0.1, chunkSize: 1 }, { layers: ["dense_0"] })).toThrow(/layers\[0\] "dense_0" is not a layer/)
    expect(run([0, 1], { eps: { "head/kernel": tf.zeros([2, 3]) } })).toThrow(/parameter names differ/)
  })
  it("the layered engine refuses a model without a view", () => {
    const r = resnet18({ width: 1, numClasses: 2, inputShape: [4, 4, 1] })
    const p = r.init(new Rng(1))
    const xr = tf.zeros([1, 4, 4, 1])
    expect(() => decompose(r, p, xr, [0], { perturbation: { rho: 0.1, chunkSize: 1 }, engine: "layered", state: r.initState() })).toThrow(UnsupportedModelError)
  })
})
