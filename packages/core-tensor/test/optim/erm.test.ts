import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { type ForwardFn, LabelMismatchError, NonFiniteLossError, Rng, disposeParams, erm, expectNoLeak, mlp, sgd } from "../../src/index.js"
import { closeToGolden, fixtureParams, goldenFixtures } from "@samlab/golden"

describe("erm(sgd) against the golden fixtures (PyTorch, float64)", () => {
  for (const c of goldenFixtures(["sgd"])) {
    it(c.name, async () => {
      const layers = c.model.layers
      const model = mlp({
        inputDim: layers[0]!.W.length,
        hidden: layers.slice(0, -1).map((l) => l.b.length),
        numClasses: layers[layers.length - 1]!.b.length,
        activation: c.model.activation
      })
      const forward: ForwardFn = (p, x) => model.apply(p, x, { training: true })
      const method = erm(sgd({ lr: c.optimizer.base.lr, momentum: c.optimizer.base.momentum, weightDecay: c.optimizer.base.weightDecay }))
      await expectNoLeak(c.name, () => {
        const x = tf.tensor2d(c.data.x)
        const y = tf.tensor1d(c.data.y, "int32")
        let params = fixtureParams(layers)
        let state = method.init(params)
        for (let s = 0; s < c.steps; s++) {
          const r = method.step(params, state, { x, y }, forward, s)
          expect(closeToGolden(r.loss, c.expected.lossBeforeEachStep[s]!), `loss at step ${s}: ${r.loss}`).toBe(true)
          disposeParams(params, r.modelState)
          method.disposeState(state)
          params = r.params
          state = r.state
          const want = fixtureParams(c.expected.layersAfterEachStep[s]!)
          for (const k of Object.keys(want)) {
            const got = params[k]!.dataSync()
            want[k]!.dataSync().forEach((v, i) => expect(closeToGolden(got[i]!, v), `${k}[${i}] after step ${s}: ${got[i]} vs ${v}`).toBe(true))
          }
          disposeParams(want)
        }
        disposeParams(params)
        method.disposeState(state)
        tf.dispose([x, y])
      })
    })
  }
})

describe("erm errors", () => {
  const model = mlp({ inputDim: 3, hidden: [4], numClasses: 2 })
  const forward: ForwardFn = (p, x) => model.apply(p, x, { training: true })

  it("names the step number on a NaN loss and leaks nothing", async () => {
    const method = erm(sgd({ lr: 0.1 }))
    await expectNoLeak("nan", () => {
      const params = model.init(new Rng(1))
      const state = method.init(params)
      const x = tf.tensor2d([
        [Number.NaN, 0, 0],
        [1, 2, 3]
      ])
      const y = tf.tensor1d([0, 1], "int32")
      const err = (() => {
        try {
          method.step(params, state, { x, y }, forward, 17)
        } catch (e) {
          return e
        }
      })()
      expect(err).toBeInstanceOf(NonFiniteLossError)
      expect((err as NonFiniteLossError).stepNumber).toBe(17)
      expect((err as Error).message).toMatch(/step 17/)
      tf.dispose([x, y])
      disposeParams(params)
      method.disposeState(state)
    })
  })

  it("rejects labels that do not match the batch or the classes", async () => {
    const method = erm(sgd({ lr: 0.1 }))
    await expectNoLeak("labels", () => {
      const params = model.init(new Rng(1))
      const x = tf.tensor2d([
        [0, 0, 0],
        [1, 2, 3]
      ])
      const y3 = tf.tensor1d([0, 1, 1], "int32")
      const yBad = tf.tensor1d([0, 2], "int32")
      expect(() => method.step(params, undefined as never, { x, y: y3 }, forward, 0)).toThrow(LabelMismatchError)
      expect(() => method.step(params, undefined as never, { x, y: yBad }, forward, 4)).toThrow(/step 4: label 2 of example 1 is outside \[0, 2\)/)
      tf.dispose([x, y3, yBad])
      disposeParams(params)
    })
  })
})
