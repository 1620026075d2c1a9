import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { Rng, expectNoLeak, valueAndGradParams } from "@samlab/core-tensor"
import { perturbation } from "@samlab/optim-sam"
import { TheoryConfigError, cleanNoisyWeightRatio, makeNoisyMixture, oneSamDiagnostics, oneSamLinearGradients, runLinearLogistic } from "../src/index.js"

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0)
const rows = (t: tf.Tensor2D): number[][] => t.arraySync()

/** Example i's gradient -t sigma(-t<w,x>) x, its 1-SAM gradient at w + rho g/||g||, in float64. */
const oneSamFloat64 = (w: number[], x: number[], t: number, rho: number) => {
  const g = x.map((xj) => -t * sigmoid(-t * dot(w, x)) * xj)
  const norm = Math.hypot(...g)
  const w2 = w.map((wj, j) => wj + (rho * g[j]!) / norm)
  return { gd: g, sam: x.map((xj) => -t * sigmoid(-t * dot(w2, x)) * xj) }
}

const maxRel = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) / Math.max(...b.map(Math.abs))

describe("oneSamLinearGradients (batched autodiff, one perturbed weight vector per example)", () => {
  it("matches the float64 definition on a hand-sized case", async () => {
    const w = [0.3, -0.7, 0.2]
    const xs = [
      [1, 2, -1],
      [-0.5, 0.1, 2],
      [3, -1, 0.5]
    ]
    const ts = [1, -1, -1]
    await expectNoLeak("hand case", () => {
      const [wt, xt, tt] = [tf.tensor1d(w), tf.tensor2d(xs), tf.tensor1d(ts)]
      const g = oneSamLinearGradients(wt, xt, tt, 0.5)
      const gd = rows(g.gd)
      const sam = rows(g.sam)
      xs.forEach((x, i) => {
        const ref = oneSamFloat64(w, x, ts[i]!, 0.5)
        expect(maxRel(gd[i]!, ref.gd)).toBeLessThan(2e-6)
        expect(maxRel(sam[i]!, ref.sam)).toBeLessThan(2e-6)
      })
      tf.dispose([wt, xt, tt, g.gd, g.sam])
    })
  })

  it("agrees with optim-sam's perturbation applied example by example", async () => {
    const rng = new Rng(11)
    const n = 6
    const d = 5
    const x = tf.tensor2d(rng.normalArray(n * d), [n, d])
    const t = tf.tensor1d(Array.from({ length: n }, () => (rng.bernoulli(0.5) ? 1 : -1)))
    const w = tf.tensor1d(rng.normalArray(d))
    await expectNoLeak("vs optim-sam", () => {
      const g = oneSamLinearGradients(w, x, t, 0.3)
      const batched = rows(g.sam)
      for (let i = 0; i < n; i++) {
        const expected = tf.tidy(() => {
          const xi = tf.slice(x, [i, 0], [1, d])
          const ti = tf.slice(t, [i], [1])
          const loss = (p: Record<string, tf.Tensor>) => tf.sum(tf.softplus(tf.neg(tf.mul(ti, tf.sum(tf.mul(p["w"]!, xi), 1))))) as tf.Scalar
          const at = valueAndGradParams(loss, { w })
          const eps = perturbation({ w }, at.grads, { rho: 0.3 })
          return valueAndGradParams(loss, { w: tf.add(w, eps["w"]!) }).grads["w"]!.arraySync() as number[]
        })
        expect(maxRel(batched[i]!, expected)).toBeLessThan(1e-5)
      }
      tf.dispose([g.gd, g.sam])
    })
    tf.dispose([x, t, w])
  })

  it("rho = 0 gives the GD gradients; a zero gradient gives no perturbation (no NaN)", () => {
    tf.tidy(() => {
      const x = tf.tensor2d([
        [1, 2],
        [0, 0]
      ])
      const t = tf.tensor1d([1, -1])
      const w = tf.tensor1d([0.5, -0.25])
      const g0 = oneSamLinearGradients(w, x, t, 0)
      expect(rows(g0.sam)).toEqual(rows(g0.gd))
      const g = oneSamLinearGradients(w, x, t, 0.4)
      expect(rows(g.sam)[1]).toEqual([0, 0])
    })
  })

  it("the closed form sigma(-m + rho||x||)/sigma(-m) g matches the autodiff gradients to float32 precision, |margins| up to ~30", async () => {
    const rng = new Rng(5)
    const n = 64
    const d = 10
    let worst = 0
    await expectNoLeak("closed form", () => {
      for (const scale of [0.01, 1, 3]) {
        for (const rho of [0.05, 0.5, 2]) {
          const x = tf.tensor2d(rng.normalArray(n * d), [n, d])
          const t = tf.tensor1d(Array.from({ length: n }, () => (rng.bernoulli(0.5) ? 1 : -1)))
          const w = tf.tensor1d(rng.normalArray(d, 0, scale))
          const g = oneSamLinearGradients(w, x, t, rho)
          const diag = oneSamDiagnostics(w, x, t, rho, g)
          for (const e of diag.closedFormRelErr) worst = Math.max(worst, e)
          tf.dispose([x, t, w, g.gd, g.sam])
        }
      }
    })
    expect(worst).toBeGreaterThan(0)
    expect(worst).toBeLessThan(1e-4)
  })

  it("rejects mismatched shapes and a negative rho, naming the input", () => {
    tf.tidy(() => {
      const x = tf.zeros([3, 2]) as tf.Tensor2D
      const t = tf.ones([3]) as tf.Tensor1D
      expect(() => oneSamLinearGradients(tf.zeros([3]) as tf.Tensor1D, x, t, 0.1)).toThrow(/x must be \[n, 3\]/)
      expect(() => oneSamLinearGradients(tf.zeros([2]) as tf.Tensor1D, x, tf.ones([4]) as tf.Tensor1D, 0.1)).toThrow(TheoryConfigError)
      expect(() => oneSamLinearGradients(tf.zeros([2]) as tf.Tensor1D, x, t, -1)).toThrow(/rho/)
    })
  })
})

describe("cleanNoisyWeightRatio", () => {
  it("divides the clean mean of ||g_SAM||/||g|| by the noisy mean, skipping zero gradients", () => {
    const r = cleanNoisyWeightRatio(
      { gdNorms: Float32Array.from([1, 2, 1, 0, 4]), samNorms: Float32Array.from([3, 2, 2, 5, 4]), closedFormRelErr: new Float32Array(5) },
      Uint8Array.from([0, 0, 1, 1, 1])
    )
    expect(r.clean).toBeCloseTo((3 + 1) / 2, 12)
    expect(r.noisy).toBeCloseTo((2 + 1) / 2, 12)
    expect(r.ratio).toBeCloseTo(2 / 1.5, 12)
  })
})

describe("runLinearLogistic", () => {
  const data = makeNoisyMixture({ n: 30, nTest: 200, d: 12, muNorm: 2, sigma: 1, noiseRate: 0.2, seed: 1 })
  const { n, d, x, labels } = data.train
  const xi = (i: number) => Array.from(x.subarray(i * d, (i + 1) * d))
  const mu = Array.from(data.mu)

  /** ||w|| and cos(w, mu) of w = sum_i a_i t_i x_i. */
  const shape = (a: (i: number) => number) => {
    const w = new Array<number>(d).fill(0)
    for (let i = 0; i < n; i++) xi(i).forEach((v, j) => (w[j]! += a(i) * labels[i]! * v))
    const norm = Math.hypot(...w)
    return { norm, cos: dot(w, mu) / (norm * Math.hypot(...mu)) }
  }

  it("one GD step from w = 0 is w = lr/(2n) sum t_i x_i", async () => {
    const records = await expectNoLeak("GD run", () => runLinearLogistic({ data, rho: 0, lr: 0.3, steps: 1, recordEvery: 1, initScale: 0, seed: 0 }))
    expect(records.map((r) => r.step)).toEqual([0, 1])
    expect(records[0]!.testAcc).toBe(0.5) // w = 0 scores every example 0
    const ref = shape(() => 0.3 / (2 * n))
    expect(records[1]!.wNorm).toBeCloseTo(ref.norm, 5)
    expect(records[1]!.cosMu).toBeCloseTo(ref.cos, 5)
    expect(records[1]!.weightRatio).toBe(1)
  })

  it("one 1-SAM step from w = 0 weights example i by sigma(rho||x_i||) (all margins are 0)", async () => {
    const rho = 0.2
    const records = await expectNoLeak("1-SAM run", () => runLinearLogistic({ data, rho, lr: 0.3, steps: 1, recordEvery: 1, initScale: 0, seed: 0 }))
    const ref = shape((i) => (0.3 / n) * sigmoid(rho * Math.hypot(...xi(i))))
    expect(records[1]!.wNorm).toBeCloseTo(ref.norm, 5)
    expect(records[1]!.cosMu).toBeCloseTo(ref.cos, 5)
  })

  it("records at 0, every k and the last step; is deterministic; 1-SAM up-weights the clean examples and agrees with the closed form", async () => {
    const run = () => runLinearLogistic({ data, rho: 0.3, lr: 0.05, steps: 23, recordEvery: 10, initScale: 1, seed: 2 })
    const a = await expectNoLeak("run", run)
    const b = run()
    expect(a.map((r) => r.step)).toEqual([0, 10, 20, 23])
    expect(b).toEqual(a)
    expect(a[2]!.weightRatio).toBeGreaterThan(1)
    for (const r of a) expect(r.closedFormMaxRelErr).toBeLessThan(1e-4)
  })

  it("rejects a non-positive learning rate", () => {
    expect(() => runLinearLogistic({ data, rho: 0, lr: 0, steps: 1, recordEvery: 1, initScale: 0, seed: 0 })).toThrow(/lr must be a finite number > 0/)
  })
})
