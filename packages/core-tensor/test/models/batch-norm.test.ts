import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { ModelInputError, Rng, disposeOutput, disposeParams, expectNoLeak, layers, resnet18 } from "../../src/index.js"
import { expectAllClose, filledLike } from "./helpers.js"

/** One channel, batch 2, 1x2 spatial: n = 4 values x = [1, 2, 3, 6]. */
const fourValues = () => tf.tensor4d([1, 2, 3, 6], [2, 1, 2, 1])

describe("batch norm", () => {
  const params = () => ({ "bn/gamma": tf.tensor1d([2]), "bn/beta": tf.tensor1d([0.5]) })
  const state = () => ({ "bn/moving_mean": tf.tensor1d([1]), "bn/moving_var": tf.tensor1d([4]) })

  it("training: normalises with the batch mean and biased variance, moves the statistics as PyTorch", () => {
    const p = params()
    const s = state()
    const x = fourValues()
    const newState: Record<string, tf.Tensor> = {}
    const y = layers.batchNorm(p, s, "bn", x, true, newState)
    // mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5, unbiased 14 / 3.
    const sd = Math.sqrt(3.5 + 1e-5)
    expectAllClose(
      y.dataSync(),
      [1, 2, 3, 6].map((v) => ((v - 3) / sd) * 2 + 0.5),
      1e-6
    )
    expectAllClose(newState["bn/moving_mean"]!.dataSync(), [0.9 * 1 + 0.1 * 3], 1e-7)
    expectAllClose(newState["bn/moving_var"]!.dataSync(), [0.9 * 4 + (0.1 * 14) / 3], 1e-6)
    // The given state is not modified.
    expect(Array.from(s["bn/moving_var"].dataSync())).toEqual([4])
    tf.dispose([y, x, ...Object.values(newState)])
    disposeParams(p, s)
  })

  it("evaluation: normalises with the moving statistics and leaves the state alone", () => {
    const p = params()
    const s = state()
    const x = fourValues()
    const newState: Record<string, tf.Tensor> = {}
    const y = layers.batchNorm(p, s, "bn", x, false, newState)
    expectAllClose(
      y.dataSync(),
      [1, 2, 3, 6].map((v) => ((v - 1) / Math.sqrt(4 + 1e-5)) * 2 + 0.5),
      1e-6
    )
    expect(Object.keys(newState)).toEqual([])
    tf.dispose([y, x])
    disposeParams(p, s)
  })

  it("refuses training on one value per channel (the unbiased variance is undefined), as PyTorch", () => {
    const p = params()
    const s = state()
    const x = tf.tensor4d([1], [1, 1, 1, 1])
    expect(() => layers.batchNorm(p, s, "bn", x, true, {})).toThrow(ModelInputError)
    x.dispose()
    disposeParams(p, s)
  })

  describe("in a model (tiny resnet18)", () => {
    const model = resnet18({ width: 2, numClasses: 3, inputShape: [8, 8, 3] })
    const rng = new Rng(5)
    const setup = () => {
      const params = model.init(new Rng(1))
      const init = model.initState()
      const state = filledLike(init, (k) => (k.endsWith("moving_var") ? 0.5 + rng.uniform() : 0.2 * rng.normal()))
      disposeParams(init)
      const x = tf.tensor4d(
        Array.from({ length: 4 * 192 }, () => rng.normal()),
        [4, 8, 8, 3]
      )
      return { params, state, x }
    }

    it("evaluation is per-example independent; training is not (batch statistics)", async () => {
      const { params, state, x } = setup()
      await expectNoLeak("batch-norm independence check", () => {
        const alone = tf.slice(x, [0, 0, 0, 0], [1, 8, 8, 3])
        const evalBatch = model.apply(params, x, { training: false, state })
        const evalAlone = model.apply(params, alone, { training: false, state })
        const row0 = Array.from(evalBatch.logits.dataSync()).slice(0, 3)
        expectAllClose(evalAlone.logits.dataSync(), row0, 1e-6, 1e-5)
        const trainBatch = model.apply(params, x, { training: true, state })
        const twoOnly = tf.slice(x, [0, 0, 0, 0], [2, 8, 8, 3])
        const trainTwo = model.apply(params, twoOnly, { training: true, state })
        const diff = Math.abs(trainBatch.logits.dataSync()[0]! - trainTwo.logits.dataSync()[0]!)
        expect(diff).toBeGreaterThan(1e-3)
        disposeOutput(evalBatch, state)
        disposeOutput(evalAlone, state)
        disposeOutput(trainBatch)
        disposeOutput(trainTwo)
        tf.dispose([alone, twoOnly])
      })
      disposeParams(params, state)
      x.dispose()
    })

    it("training returns a new state that later evaluation passes use; evaluation returns the same state", () => {
      const { params, state, x } = setup()
      const train = model.apply(params, x, { training: true, state })
      const moved = Object.keys(state).filter((k) => Math.abs(train.state[k]!.dataSync()[0]! - state[k]!.dataSync()[0]!) > 1e-7)
      expect(moved).toHaveLength(Object.keys(state).length)
      const evalOld = model.apply(params, x, { training: false, state })
      const evalNew = model.apply(params, x, { training: false, state: train.state })
      expect(evalNew.state).toBe(train.state)
      expect(Math.abs(evalOld.logits.dataSync()[0]! - evalNew.logits.dataSync()[0]!)).toBeGreaterThan(1e-5)
      disposeOutput(evalOld, state)
      disposeOutput(evalNew, train.state)
      disposeOutput(train)
      disposeParams(params, state)
      x.dispose()
    })
  })
})

describe("batch norm's closed-form gradient", () => {
  /** The textbook form, differentiated by autodiff through the moments: the independent reference. */
  const reference = (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2])
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta)
  }

  it("matches autodiff through the moments for x, gamma and beta", () => {
    const rng = new Rng(11)
    const x = tf.tensor4d(
      Array.from({ length: 3 * 4 * 5 * 6 }, () => 2 + 3 * rng.normal()),
      [3, 4, 5, 6]
    )
    const gamma = tf.tensor1d(Array.from({ length: 6 }, () => 1 + rng.normal()))
    const beta = tf.tensor1d(Array.from({ length: 6 }, () => rng.normal()))
    const weights = tf.tensor4d(
      Array.from({ length: x.size }, () => rng.normal()),
      x.shape
    )
    const loss = (f: (a: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.square(f(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D)), weights))
    const ours = tf.grads(
      loss((a, g, b) =>
        layers.batchNorm({ "bn/gamma": g, "bn/beta": b }, { "bn/moving_mean": tf.zeros([6]), "bn/moving_var": tf.ones([6]) }, "bn", a, true, {})
      )
    )([x, gamma, beta])
    const theirs = tf.grads(loss(reference))([x, gamma, beta])
    ours.forEach((g, i) => expectAllClose(g.dataSync(), theirs[i]!.dataSync(), 1e-4, 1e-4))
    tf.dispose([x, gamma, beta, weights, ...ours, ...theirs])
  })
})
