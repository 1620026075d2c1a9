import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { Rng, expectNoLeak, twoLayerLinear } from "@samlab/core-tensor"
import {
  TheoryConfigError,
  jsamObjectiveGradient,
  jsamPerExampleGradients,
  jsamTwoLayerObjective,
  jsamTwoLayerObjectiveBatch,
  makeNoisyMixture,
  maxRelDiff,
  runDeepLinear
} from "../src/index.js"
import { initTwoLayer } from "../src/train/deep-linear-run.js"
import { twoLayerLossGradient, twoLayerOutputs } from "../src/train/two-layer-linear.js"

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))

/** J-SAM for one example by its definition, in float64: grad_v f = W x, grad_W f = v x^T. */
const jsamFloat64 = (W: number[][], v: number[], x: number[], t: number, rho: number) => {
  const Wx = W.map((row) => row.reduce((s, w, j) => s + w * x[j]!, 0))
  const f = v.reduce((s, vi, i) => s + vi * Wx[i]!, 0)
  const u = -t * sigmoid(-t * f)
  const gW = v.map((vi) => x.map((xj) => u * vi * xj))
  const gv = Wx.map((a) => u * a)
  const norm = Math.hypot(...gW.flat(), ...gv)
  const W2 = W.map((row, i) => row.map((w, j) => w + (rho * gW[i]![j]!) / norm))
  const v2 = v.map((vi, i) => vi + (rho * gv[i]!) / norm)
  return { W: v2.map((vi) => x.map((xj) => u * vi * xj)).flat(), v: W2.map((row) => u * row.reduce((s, w, j) => s + w * x[j]!, 0)) }
}

const instance = (seed: number, n: number, d: number, h: number) => {
  const rng = new Rng(seed)
  const W = Array.from({ length: h }, () => Array.from(rng.normalArray(d, 0, 1 / Math.sqrt(d))))
  const v = Array.from(rng.normalArray(h, 0, 1 / Math.sqrt(h)))
  const x = Array.from({ length: n }, () => Array.from(rng.normalArray(d)))
  const t = Array.from({ length: n }, () => (rng.bernoulli(0.5) ? 1 : -1))
  return { W, v, x, t }
}

const tensors = (c: ReturnType<typeof instance>) => ({ p: { W: tf.tensor2d(c.W), v: tf.tensor1d(c.v) }, x: tf.tensor2d(c.x), t: tf.tensor1d(c.t) })

describe("two-layer linear network, batched", () => {
  it("per-example J-SAM gradients match the float64 definition (30 random instances)", async () => {
    let worst = 0
    await expectNoLeak("J-SAM per example", () => {
      for (let seed = 0; seed < 30; seed++) {
        const [n, d, h] = [5, 1 + (seed % 7), 1 + (seed % 4)]
        const rho = [0.05, 0.5, 2][seed % 3]!
        const c = instance(seed, n, d, h)
        const { p, x, t } = tensors(c)
        const g = jsamPerExampleGradients(p, x, t, rho)
        const gW = g.W.arraySync()
        const gv = g.v.arraySync()
        for (let i = 0; i < n; i++) {
          const ref = jsamFloat64(c.W, c.v, c.x[i]!, c.t[i]!, rho)
          const err = maxRelDiff([...ref.W, ...ref.v], [...gW[i]!.flat(), ...gv[i]!])
          worst = Math.max(worst, err)
        }
        tf.dispose([p.W, p.v, x, t, g.W, g.v])
      }
    })
    expect(worst).toBeLessThan(1e-5)
  })

  it("the batched objective is the mean of the one-example objective (examples do not mix), value and gradient", async () => {
    await expectNoLeak("objective batch", () => {
      for (let seed = 0; seed < 10; seed++) {
        const c = instance(100 + seed, 6, 4, 3)
        const { p, x, t } = tensors(c)
        const rho = 0.1 * (seed + 1)
        const [mine, theirs] = tf.tidy(() => {
          const xs = c.x.map((xi) => tf.tensor1d(xi))
          const perExample = (W: tf.Tensor, v: tf.Tensor) =>
            tf.div(tf.addN(xs.map((xi, i) => jsamTwoLayerObjective(W as tf.Tensor2D, v as tf.Tensor1D, xi, c.t[i]!, rho))), xs.length) as tf.Scalar
          const a = tf.grads((W: tf.Tensor, v: tf.Tensor) => jsamTwoLayerObjectiveBatch({ W: W as tf.Tensor2D, v: v as tf.Tensor1D }, x, t, rho))([p.W, p.v])
          const b = tf.grads(perExample)([p.W, p.v])
          return [
            [jsamTwoLayerObjectiveBatch(p, x, t, rho).dataSync()[0]!, ...a.flatMap((g) => Array.from(g.dataSync()))],
            [perExample(p.W, p.v).dataSync()[0]!, ...b.flatMap((g) => Array.from(g.dataSync()))]
          ]
        })
        expect(maxRelDiff(theirs!, mine!)).toBeLessThan(1e-5)
        tf.dispose([p.W, p.v, x, t])
      }
    })
  })

  it("J-SAM's mean gradient equals the objective's gradient (the paper's claim) on 20 random instances", async () => {
    let worst = 0
    await expectNoLeak("claim", () => {
      for (let seed = 0; seed < 20; seed++) {
        const c = instance(200 + seed, 8, 6, 5)
        const { p, x, t } = tensors(c)
        const rho = [0.01, 0.1, 1][seed % 3]!
        const [jsam, objective] = tf.tidy(() => {
          const g = jsamPerExampleGradients(p, x, t, rho)
          const o = jsamObjectiveGradient(p, x, t, rho)
          return [tf.concat([tf.reshape(tf.mean(g.W, 0), [-1]), tf.mean(g.v, 0)]), tf.concat([tf.reshape(o.W, [-1]), o.v])]
        })
        worst = Math.max(worst, maxRelDiff(jsam!.dataSync(), objective!.dataSync()))
        tf.dispose([p.W, p.v, x, t, jsam!, objective!])
      }
    })
    expect(worst).toBeLessThan(1e-5)
  })

  it("the loss gradient matches float64 (grad_v = mean u W x, grad_W = mean u v x^T)", () => {
    const c = instance(7, 4, 3, 2)
    const { p, x, t } = tensors(c)
    const g = twoLayerLossGradient(p, x, t)
    const refW = c.W.map((row) => row.map(() => 0))
    const refv = c.v.map(() => 0)
    c.x.forEach((xi, i) => {
      const Wx = c.W.map((row) => row.reduce((s, w, j) => s + w * xi[j]!, 0))
      const u = -c.t[i]! * sigmoid(-c.t[i]! * c.v.reduce((s, vk, k) => s + vk * Wx[k]!, 0))
      c.v.forEach((vk, k) => xi.forEach((xj, j) => (refW[k]![j]! += (u * vk * xj) / c.x.length)))
      Wx.forEach((a, k) => (refv[k]! += (u * a) / c.x.length))
    })
    expect(maxRelDiff([...refW.flat(), ...refv], [...(g.W.arraySync() as number[][]).flat(), ...(g.v.arraySync() as number[])])).toBeLessThan(1e-5)
    tf.dispose([p.W, p.v, x, t, g.W, g.v])
  })

  it("initTwoLayer is core-tensor's twoLayerLinear in the paper's layout: same outputs", async () => {
    const init = initTwoLayer(5, 3, 9, 1)
    const model = twoLayerLinear({ inputDim: 5, hidden: 3, numClasses: 1, bias: false })
    const params = model.init(new Rng(9).fork("init"))
    const x = tf.tensor2d(new Rng(1).normalArray(20), [4, 5])
    await expectNoLeak("outputs", () => {
      const mine = twoLayerOutputs(init, x)
      const out = model.apply(params, x, { training: false })
      expect(maxRelDiff(out.logits.dataSync(), mine.dataSync())).toBeLessThan(1e-6)
      tf.dispose([mine, out.logits, out.features, ...Object.values(out.activations)])
    })
    tf.dispose([init.W, init.v, x, ...Object.values(params)])
  })

  it("rejects mismatched shapes naming the input", () => {
    tf.tidy(() => {
      const p = { W: tf.zeros([3, 2]) as tf.Tensor2D, v: tf.zeros([4]) as tf.Tensor1D }
      expect(() => jsamPerExampleGradients(p, tf.zeros([5, 2]) as tf.Tensor2D, tf.ones([5]) as tf.Tensor1D, 0.1)).toThrow(TheoryConfigError)
      expect(() => jsamPerExampleGradients(p, tf.zeros([5, 2]) as tf.Tensor2D, tf.ones([5]) as tf.Tensor1D, 0.1)).toThrow(/v must be \[3\]/)
    })
  })
})

describe("runDeepLinear", () => {
  it("J-SAM and GD on the objective stay together step by step; plain GD differs; nothing leaks", async () => {
    const data = makeNoisyMixture({ n: 24, nTest: 100, d: 8, muNorm: 2, sigma: 1, noiseRate: 0.25, seed: 2 })
    const run = await expectNoLeak("run", () =>
      runDeepLinear({ data, hidden: 4, rho: 0.1, lr: 0.1, steps: 25, recordEvery: 10, initScale: 1, seed: 3, checkExamples: 3 })
    )
    expect(run.paramRelDiff).toHaveLength(26)
    expect(run.paramRelDiff[0]).toBe(0)
    expect(Math.max(...run.paramRelDiff)).toBeLessThan(1e-5)
    expect(run.records.map((r) => r.step)).toEqual([0, 10, 20, 25])
    const first = run.records[0]!
    expect(first.gd).toEqual(first.jsam) // one initialisation
    const last = run.records.at(-1)!
    expect(Math.abs(last.jsam.trainLoss - last.objective.trainLoss)).toBeLessThan(1e-5)
    expect(last.jsam.headNormSq).toBeLessThan(last.gd.headNormSq) // the penalty shrinks ||v||
    for (const r of run.records) expect(r.objectiveCheckRelErr).toBeLessThan(1e-5)
    const again = runDeepLinear({ data, hidden: 4, rho: 0.1, lr: 0.1, steps: 25, recordEvery: 10, initScale: 1, seed: 3, checkExamples: 3 })
    expect(again).toEqual(run)
  })
})
