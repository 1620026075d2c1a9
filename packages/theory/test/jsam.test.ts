import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { Rng, expectNoLeak } from "@samlab/core-tensor"
import { TheoryInputError, jsamTwoLayerObjective } from "../src/index.js"
import { values } from "./helpers.js"

/** f(x) = v^T W x */
const f = (W: tf.Tensor, v: tf.Tensor, x: tf.Tensor1D): tf.Scalar => tf.sum(tf.mul(v, tf.squeeze(tf.matMul(W as tf.Tensor2D, tf.expandDims(x, 1)), [1])))

/**
 * The per-example J-SAM gradient by its definition, with tfjs autodiff: g = gradient of
 * -log sigma(t f) at w = (W, v); eps = rho g/||g||; the logit term u = -t sigma(-t f(w)) frozen;
 * the gradient of u * f(x; w') in w', at w' = w + eps.
 */
const jsamByDefinition = (W: tf.Tensor2D, v: tf.Tensor1D, x: tf.Tensor1D, t: number, rho: number): { W: number[]; v: number[] } =>
  tf.tidy(() => {
    const [gW, gv] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.softplus(tf.mul(f(a, b, x), -t)))([W, v]) as [tf.Tensor, tf.Tensor]
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(gW)), tf.sum(tf.square(gv))))
    const u = -t / (1 + Math.exp(t * f(W, v, x).dataSync()[0]!))
    const [jW, jv] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(f(a, b, x), u))([
      tf.add(W, tf.mul(gW, tf.div(rho, norm))),
      tf.add(v, tf.mul(gv, tf.div(rho, norm)))
    ])
    return { W: values(jW!), v: values(jv!) }
  })

/** The same definition in float64 plain JS: grad_v f = W x, grad_W f = v x^T. */
const jsamFloat64 = (W: number[][], v: number[], x: number[], t: number, rho: number): { W: number[]; v: number[] } => {
  const Wx = W.map((row) => row.reduce((s, w, j) => s + w * x[j]!, 0))
  const fx = v.reduce((s, vi, i) => s + vi * Wx[i]!, 0)
  const u = -t / (1 + Math.exp(t * fx))
  const gW = v.map((vi) => x.map((xj) => u * vi * xj))
  const gv = Wx.map((a) => u * a)
  const norm = Math.hypot(...gW.flat(), ...gv)
  const W2 = W.map((row, i) => row.map((w, j) => w + (rho * gW[i]![j]!) / norm))
  const v2 = v.map((vi, i) => vi + (rho * gv[i]!) / norm)
  return { W: v2.flatMap((vi) => x.map((xj) => u * vi * xj)), v: W2.map((row) => u * row.reduce((s, w, j) => s + w * x[j]!, 0)) }
}

const objectiveGradient = (W: tf.Tensor2D, v: tf.Tensor1D, x: tf.Tensor1D, t: number, rho: number): { W: number[]; v: number[] } =>
  tf.tidy(() => {
    const [gW, gv] = tf.grads((a: tf.Tensor, b: tf.Tensor) => jsamTwoLayerObjective(a as tf.Tensor2D, b as tf.Tensor1D, x, t, rho))([W, v])
    return { W: values(gW!), v: values(gv!) }
  })

/** Max |a - b| relative to the largest |b| (float32 rounding of a few ops: ~1e-7..1e-6). */
const relativeError = (a: number[], b: number[]): number => {
  const scale = Math.max(...b.map(Math.abs), 1e-30)
  return Math.max(...a.map((ai, i) => Math.abs(ai - b[i]!))) / scale
}

describe("two-layer linear network: the J-SAM gradient is the gradient of loss + sg(rho sigma(-t f)/J) (||x||^2||v||^2 + ||Wx||^2)/2", () => {
  it("matches the per-example J-SAM gradient by definition on 160 random instances (4 shapes x 20 seeds x rho 0.05 / 1)", async () => {
    let worst = 0
    await expectNoLeak("J-SAM instances", () => {
      for (const [d, h] of [
        [1, 1],
        [3, 2],
        [8, 5],
        [20, 16]
      ] as const) {
        for (let seed = 0; seed < 20; seed++) {
          for (const rho of [0.05, 1]) {
            const rng = new Rng(seed).fork(`${d}x${h}`)
            const Wa = Array.from({ length: h }, () => Array.from(rng.normalArray(d, 0, 1 / Math.sqrt(d))))
            const va = Array.from(rng.normalArray(h, 0, 1 / Math.sqrt(h)))
            const xa = Array.from(rng.normalArray(d))
            const t = rng.bernoulli(0.5) ? 1 : -1
            const [W, v, x] = [tf.tensor2d(Wa), tf.tensor1d(va), tf.tensor1d(xa)]
            const got = objectiveGradient(W, v, x, t, rho)
            const byTfjs = jsamByDefinition(W, v, x, t, rho)
            const by64 = jsamFloat64(Wa, va, xa, t, rho)
            const all = (g: { W: number[]; v: number[] }) => [...g.W, ...g.v]
            const err = relativeError(all(got), all(by64))
            worst = Math.max(worst, err)
            expect(err, `d=${d} h=${h} seed=${seed} rho=${rho}`).toBeLessThan(1e-5)
            expect(relativeError(all(got), all(byTfjs)), `vs tfjs, d=${d} h=${h} seed=${seed}`).toBeLessThan(1e-5)
            tf.dispose([W, v, x])
          }
        }
      }
    })
    expect(worst).toBeGreaterThan(0) // the comparison ran on float32 values
  })

  it("differs from plain SGD by exactly the penalty's gradient (rho = 0 gives SGD)", () => {
    const W = tf.tensor2d([
      [0.5, -1],
      [0.3, 0.8]
    ])
    const v = tf.tensor1d([1.2, -0.4])
    const x = tf.tensor1d([0.7, 0.2])
    const sgdGrad = objectiveGradient(W, v, x, 1, 0)
    const plain = jsamFloat64(
      [
        [0.5, -1],
        [0.3, 0.8]
      ],
      [1.2, -0.4],
      [0.7, 0.2],
      1,
      1e-9
    )
    expect(relativeError([...sgdGrad.W, ...sgdGrad.v], [...plain.W, ...plain.v])).toBeLessThan(1e-5)
    tf.dispose([W, v, x])
  })

  it("value by hand: W = diag(1, 2), v = x = (1, 1), t = 1, rho = 0.1", () => {
    // W x = (1, 2), f = 3, ||Wx||^2 = 5, ||v||^2 = ||x||^2 = 2, J = 3, penalty = (4 + 5)/2 = 4.5
    const W = tf.tensor2d([
      [1, 0],
      [0, 2]
    ])
    const v = tf.tensor1d([1, 1])
    const x = tf.tensor1d([1, 1])
    const sigma = 1 / (1 + Math.exp(3))
    const value = jsamTwoLayerObjective(W, v, x, 1, 0.1)
    expect(value.dataSync()[0]).toBeCloseTo(Math.log1p(Math.exp(-3)) + ((0.1 * sigma) / 3) * 4.5, 6)
    tf.dispose([W, v, x, value])
  })

  it("J = 0 (x = 0: no gradient, no perturbation) gives a zero gradient, not NaN", () => {
    const W = tf.tensor2d([[1, 2]])
    const v = tf.tensor1d([0])
    const x = tf.tensor1d([0, 0])
    const g = objectiveGradient(W, v, x, -1, 0.5)
    expect([...g.W, ...g.v]).toEqual([0, 0, 0])
    tf.dispose([W, v, x])
  })

  it("typed errors name the bad input", () => {
    const W = tf.tensor2d([[1, 2]])
    const v = tf.tensor1d([1])
    const x = tf.tensor1d([1, 1])
    expect(() => jsamTwoLayerObjective(W, v, x, 0, 0.1)).toThrow(TheoryInputError)
    expect(() => jsamTwoLayerObjective(W, v, x, 1, -1)).toThrow(/rho must be >= 0, got -1/)
    const x3 = tf.tensor1d([1, 1, 1])
    expect(() => jsamTwoLayerObjective(W, v, x3, 1, 0.1)).toThrow(/x must be \[2\], got shape \[3\]/)
    tf.dispose([W, v, x, x3])
  })
})
