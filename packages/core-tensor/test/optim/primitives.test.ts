import * as tf from "@tensorflow/tfjs-core"
import { beforeAll, describe, expect, it } from "vitest"
import {
  type GradientTransformation,
  type LossTerm,
  OptimizerConfigError,
  type Params,
  Rng,
  addDecayedWeights,
  chain,
  clipByGlobalNorm,
  disposeParams,
  erm,
  ermEstimator,
  expectNoLeak,
  identity,
  mlp,
  scale,
  scaleByAdam,
  scaleByLearningRate,
  selectBackend,
  sgd,
  stepper,
  trace,
  trainingForward,
  withBase,
  withLossTerm
} from "../../src/index.js"

beforeAll(async () => {
  await selectBackend({ backend: "cpu", log: () => {} })
})

/** The updates `t` gives for each gradient in turn, at fixed params `w` (the state carried along). */
const updatesOf = <S>(t: GradientTransformation<S>, w: number[], grads: number[][]): number[][] => {
  const params: Params = { w: tf.tensor1d(w) }
  let state = t.init(params)
  const out: number[][] = []
  for (const g of grads) {
    const gp = { w: tf.tensor1d(g) }
    const { updates, state: next } = t.update(gp, state, params)
    out.push(Array.from(updates["w"]!.dataSync()))
    disposeParams(gp, updates)
    t.disposeState(state)
    state = next
  }
  t.disposeState(state)
  disposeParams(params)
  return out
}

const close = (got: number[][], want: number[][], digits = 6) =>
  got.forEach((row, i) => row.forEach((v, j) => expect(v, `[${i}][${j}]`).toBeCloseTo(want[i]![j]!, digits)))

describe("primitives, each against hand-derived values", () => {
  it("identity passes the gradients through as new tensors", async () => {
    await expectNoLeak("identity", () => close(updatesOf(identity(), [9], [[1.5], [-2]]), [[1.5], [-2]]))
  })

  it("scale multiplies by its factor", () => {
    close(updatesOf(scale(-0.5), [0], [[4, -2]]), [[-2, 1]])
    expect(() => scale(Number.NaN)).toThrow(OptimizerConfigError)
  })

  it("scaleByLearningRate negates and follows the schedule by update index", () => {
    close(updatesOf(scaleByLearningRate(0.1), [0], [[2], [3]]), [[-0.2], [-0.3]])
    // schedule k -> 1 / (k + 1): updates 0, 1, 2 use 1, 1/2, 1/3
    close(
      updatesOf(
        scaleByLearningRate((k) => 1 / (k + 1)),
        [0],
        [[6], [6], [6]]
      ),
      [[-6], [-3], [-2]]
    )
    expect(() => scaleByLearningRate(-1)).toThrow(OptimizerConfigError)
  })

  it("trace: t = g + decay t, the buffer starting at 0; nesterov adds decay * t to g", async () => {
    // decay 0.5: t1 = 1, t2 = 2 + 0.5 = 2.5, t3 = 0 + 1.25 = 1.25
    await expectNoLeak("trace", () => close(updatesOf(trace({ decay: 0.5 }), [0], [[1], [2], [0]]), [[1], [2.5], [1.25]]))
    // nesterov: g + 0.5 t: 1 + 0.5 = 1.5; 2 + 1.25 = 3.25
    close(updatesOf(trace({ decay: 0.5, nesterov: true }), [0], [[1], [2]]), [[1.5], [3.25]])
    expect(() => trace({ decay: 1 })).toThrow(/trace: decay must be in \[0, 1\)/)
    expect(() => trace({ decay: 0, nesterov: true })).toThrow(/nesterov needs decay > 0/)
  })

  it("scaleByAdam: PyTorch's bias correction, by hand", async () => {
    // b1 = b2 = 0.5, eps ~ 0. Step 1, g = 2: m = 1, v = 2; m / 0.5 = 2; sqrt(2) / sqrt(0.5) = 2; update 1.
    // Step 2, g = 4: m = 0.5 + 2 = 2.5, v = 1 + 8 = 9; 2.5 / 0.75 = 3.3333; 3 / sqrt(0.75) = 3.4641; update 0.96225.
    await expectNoLeak("scaleByAdam", () =>
      close(updatesOf(scaleByAdam({ beta1: 0.5, beta2: 0.5, eps: 1e-12 }), [0], [[2], [4]]), [[1], [2.5 / 0.75 / (3 / Math.sqrt(0.75))]], 5)
    )
    expect(() => scaleByAdam({ eps: 0 })).toThrow(OptimizerConfigError)
  })

  it("addDecayedWeights adds weightDecay * w", () => {
    close(updatesOf(addDecayedWeights(0.1), [2, -4], [[1, 1]]), [[1.2, 0.6]])
    expect(() => addDecayedWeights(-1)).toThrow(/addDecayedWeights: weightDecay/)
  })

  it("clipByGlobalNorm rescales to maxNorm above it and leaves smaller gradients alone", () => {
    close(updatesOf(clipByGlobalNorm(1), [0, 0], [[3, 4]]), [[0.6, 0.8]])
    close(updatesOf(clipByGlobalNorm(10), [0, 0], [[3, 4]]), [[3, 4]])
  })

  it("sgd is the chain addDecayedWeights -> trace -> scaleByLearningRate", () => {
    const want = updatesOf(chain(addDecayedWeights(0.1), trace({ decay: 0.9 }), scaleByLearningRate(0.1)), [1], [[0.5], [0.5]])
    expect(updatesOf(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.1 }), [1], [[0.5], [0.5]])).toEqual(want)
    // hand: d = 0.5 + 0.1 = 0.6, update -0.06; (fixed w) d = 0.6, buf = 0.54 + 0.6 = 1.14, update -0.114
    close(want, [[-0.06], [-0.114]])
  })
})

describe("chain owns its parts' state", () => {
  it("frees every part's state, and what a step made when a later part throws", async () => {
    const failing: GradientTransformation<undefined> = {
      name: "failing",
      init: () => undefined,
      update: () => {
        throw new Error("boom")
      },
      disposeState: () => {}
    }
    await expectNoLeak("chain", () => {
      const t = chain(trace({ decay: 0.5 }), scaleByAdam(), failing)
      const params = { w: tf.tensor1d([1, 2]) }
      const state = t.init(params)
      const g = { w: tf.tensor1d([1, 1]) }
      expect(() => t.update(g, state, params)).toThrow("boom")
      t.disposeState(state)
      disposeParams(params, g)
    })
  })
})

describe("withBase, withLossTerm and the stepper", () => {
  const model = mlp({ inputDim: 4, hidden: [5], numClasses: 3, activation: "relu" })
  const batchOf = (rng: Rng) => ({ x: tf.tensor2d(rng.normalArray(24), [6, 4]), y: tf.tensor1d([0, 1, 2, 0, 1, 2], "int32") })
  const headSquared = (lambda: number): LossTerm => ({ name: "head", value: (_out, p) => tf.mul(tf.sum(tf.square(p["head/kernel"]!)), lambda) as tf.Scalar })
  const run = (method: ReturnType<typeof erm>, steps: number) => {
    const rng = new Rng(5)
    const s = stepper({ method, forward: trainingForward(model), params: model.init(rng.fork("init")), modelState: model.initState() })
    const batch = batchOf(rng)
    const reports = Array.from({ length: steps }, () => s.step(batch))
    const flat = Object.values(s.params).map((t) => Array.from(t.dataSync()))
    expect(s.stepsDone).toBe(steps)
    s.dispose()
    tf.dispose([batch.x, batch.y])
    return { reports, flat }
  }

  it("a zero loss term is ERM bit for bit; the penalty is reported apart", async () => {
    const plain = run(erm(sgd({ lr: 0.1 })), 2)
    const zero = await expectNoLeak("withLossTerm", () => run(withBase(withLossTerm(ermEstimator, headSquared(0)), sgd({ lr: 0.1 })), 2))
    expect(zero.flat).toEqual(plain.flat)
    expect(zero.reports.map((r) => r.penalty)).toEqual([0, 0])
  })

  it("a loss term's gradient joins the base step: the head moves by -lr * 2 lambda W on top of ERM's step", () => {
    const rng = new Rng(5)
    const params = model.init(rng.fork("init"))
    const head0 = Array.from(params["head/kernel"]!.dataSync())
    disposeParams(params)
    const plain = run(erm(sgd({ lr: 0.1 })), 1)
    const withTerm = run(withBase(withLossTerm(ermEstimator, headSquared(0.5)), sgd({ lr: 0.1 })), 1)
    const k = Object.keys(model.init(new Rng(0))).indexOf("head/kernel")
    // d/dW 0.5 ||W||^2 = W: an extra -0.1 * W0 per entry
    withTerm.flat[k]!.forEach((v, i) => expect(v).toBeCloseTo(plain.flat[k]![i]! - 0.1 * head0[i]!, 5))
    expect(withTerm.reports[0]!.penalty).toBeCloseTo(0.5 * head0.reduce((a, v) => a + v * v, 0), 5)
  })

  it("a disposed stepper refuses to step", () => {
    const s = stepper({ method: erm(sgd({ lr: 0.1 })), forward: trainingForward(model), params: model.init(new Rng(1)) })
    s.dispose()
    const batch = batchOf(new Rng(2))
    expect(() => s.step(batch)).toThrow(/disposed/)
    tf.dispose([batch.x, batch.y])
  })
})
