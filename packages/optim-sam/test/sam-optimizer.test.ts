import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { expectNoLeak, meanCrossEntropy } from "@samlab/core-tensor"
import { InvalidRhoError, NonFiniteUpdateError, SAMOptimizer, SamConfigError } from "../src/index.js"
import { type GoldenFixture, closeToGolden, goldenFixtures } from "@samlab/golden"

describe("SAMOptimizer on a plain loss closure", () => {
  it("one step on a quadratic, by hand", async () => {
    // L(w) = 0.5 * (1 * w0^2 + 4 * w1^2), w = (1, 1): g0 = (1, 4), ||g0|| = sqrt(17)
    // eps = rho g0 / ||g0||; g = (1 * (1 + eps0), 4 * (1 + eps1)); w' = w - lr g
    const w = tf.variable(tf.tensor1d([1, 1]), true, "quadratic_w")
    const a = tf.tensor1d([1, 4])
    const opt = new SAMOptimizer({ base: tf.train.sgd(0.1), rho: 0.5 })
    await expectNoLeak("quadratic", () => {
      const cost = opt.minimize(() => tf.mul(0.5, tf.sum(tf.mul(a, tf.square(w)))) as tf.Scalar, true, [w])!
      expect(cost.dataSync()[0]).toBeCloseTo(2.5, 6)
      cost.dispose()
    })
    const n = Math.sqrt(17)
    const g = [1 * (1 + 0.5 / n), 4 * (1 + (0.5 * 4) / n)]
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(1 - 0.1 * g[0]!, 6), expect.closeTo(1 - 0.1 * g[1]!, 6)])
    w.dispose()
    a.dispose()
    opt.dispose()
  })

  it("with checkFinite, a step that makes a variable non-finite throws NonFiniteUpdateError naming it; without, training goes on", () => {
    const run = (checkFinite: boolean) => {
      const w = tf.variable(tf.tensor1d([1, 1]), true, `diverging_w_${checkFinite}`)
      const opt = new SAMOptimizer({ base: tf.train.sgd(1e38), rho: 0.05, checkFinite })
      try {
        opt.minimize(() => tf.mul(0.5e5, tf.sum(tf.square(w))) as tf.Scalar)
        return Array.from(w.dataSync())
      } finally {
        w.dispose()
        opt.dispose()
      }
    }
    expect(run(false).every((v) => Number.isFinite(v))).toBe(false) // the silent case the option is for
    expect(() => run(true)).toThrow(NonFiniteUpdateError)
    expect(() => run(true)).toThrow("SAMOptimizer: after step 1 diverging_w_true hold non-finite values")
  })

  it("rho = 0 gives the base optimizer's numbers exactly", () => {
    const run = (make: (base: tf.Optimizer) => tf.Optimizer) => {
      const w = tf.variable(tf.tensor1d([0.3, -2, 1.5]), true, `rho0_${Math.random()}`)
      const opt = make(tf.train.momentum(0.05, 0.9))
      for (let i = 0; i < 5; i++) opt.minimize(() => tf.sum(tf.pow(tf.sub(w, 1), 4)) as tf.Scalar, false, [w])
      const out = Array.from(w.dataSync())
      w.dispose()
      opt.dispose()
      return out
    }
    expect(run((base) => new SAMOptimizer({ base, rho: 0 }))).toEqual(run((base) => base))
  })

  it("rejects bad settings with typed errors", () => {
    expect(() => new SAMOptimizer({ base: tf.train.sgd(0.1), rho: -1 })).toThrow(InvalidRhoError)
    expect(() => new SAMOptimizer({ base: {} as never })).toThrow(SamConfigError)
    expect(() => new SAMOptimizer({ base: tf.train.sgd(0.1), chunkSize: 0 })).toThrow(/chunkSize must be a positive integer/)
  })

  it("chunkSize without a chunk-weighted loss: a typed error, variables put back exactly", async () => {
    const w = tf.variable(tf.tensor1d([0.25, -1]), true, "chunk_w")
    const opt = new SAMOptimizer({ base: tf.train.sgd(0.1), rho: 0.3, chunkSize: 2 })
    await expectNoLeak("chunk error", () => {
      expect(() => opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w])).toThrow(/chunkWeights/)
    })
    expect(Array.from(w.dataSync())).toEqual([0.25, -1])
    w.dispose()
    opt.dispose()
  })
})

/** The fixture's MLP as tf.Variables, and its mean-CE closure (chunk-weighted when asked). */
const variableMlp = (c: GoldenFixture, opt: SAMOptimizer) => {
  const vars = c.model.layers.flatMap((l, i) => [
    tf.variable(tf.tensor2d(l.W), true, `${c.name}_W${i}_${Math.random()}`),
    tf.variable(tf.tensor1d(l.b), true, `${c.name}_b${i}_${Math.random()}`)
  ])
  const x = tf.tensor2d(c.data.x)
  const y = tf.tensor1d(c.data.y, "int32")
  const loss = () =>
    tf.tidy(() => {
      let h: tf.Tensor2D = x
      const layers = c.model.layers.length
      for (let i = 0; i < layers; i++) {
        const z = tf.add<tf.Tensor2D>(tf.matMul(h, vars[2 * i] as tf.Tensor2D), vars[2 * i + 1]!)
        h = i === layers - 1 ? z : c.model.activation === "relu" ? tf.relu(z) : tf.tanh(z)
      }
      const weights = opt.chunkWeights(x.shape[0])
      if (weights === undefined) return meanCrossEntropy(h, y)
      const perExample = tf.neg(tf.sum(tf.mul(tf.logSoftmax(h), tf.oneHot(y, h.shape[1], 1, 0, "float32")), 1))
      return tf.mean(tf.mul(perExample, weights)) as tf.Scalar
    })
  return { vars, loss, dispose: () => tf.dispose([...vars, x, y]) }
}

describe("SAMOptimizer against the golden fixtures (momentum SGD + weight decay)", () => {
  for (const c of goldenFixtures(["sam", "asam", "saner"])) {
    it(c.name, async () => {
      const b = c.optimizer.base
      const opt = new SAMOptimizer({
        base: tf.train.momentum(b.lr, b.momentum),
        rho: c.optimizer.rho,
        adaptive: c.optimizer.method === "asam",
        chunkSize: c.optimizer.chunkSize,
        weightDecay: b.weightDecay,
        ...(c.optimizer.method === "saner" ? { alpha: c.optimizer.alpha! } : {})
      })
      const m = variableMlp(c, opt)
      // the first step creates the momentum accumulators, so the leak check starts after it
      for (let s = 0; s < c.steps; s++) {
        const run = () => {
          const cost = opt.minimize(m.loss, true, m.vars as tf.Variable[])!
          expect(closeToGolden(cost.dataSync()[0]!, c.expected.lossBeforeEachStep[s]!), `loss ${s}`).toBe(true)
          cost.dispose()
        }
        if (s === 0) run()
        else await expectNoLeak(`${c.name} step ${s}`, run)
        c.expected.layersAfterEachStep[s]!.forEach((l, i) => {
          const W = m.vars[2 * i]!.dataSync()
          const bias = m.vars[2 * i + 1]!.dataSync()
          l.W.flat().forEach((v, k) => expect(closeToGolden(W[k]!, v), `W${i}[${k}] step ${s}: ${W[k]} vs ${v}`).toBe(true))
          l.b.forEach((v, k) => expect(closeToGolden(bias[k]!, v), `b${i}[${k}] step ${s}`).toBe(true))
        })
      }
      m.dispose()
      opt.dispose()
    })
  }
})
