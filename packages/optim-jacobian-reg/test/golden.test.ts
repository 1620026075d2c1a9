import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { type Params, disposeParams, expectNoLeak, sgd } from "@samlab/core-tensor"
import { jacobianRegularized } from "../src/index.js"
import { goldenFixtures } from "@samlab/golden"
import { expectAllClose, goldenModel, values } from "./helpers.js"

const cases = goldenFixtures(["jacreg"])

describe("golden jacreg fixtures (float64 PyTorch reference)", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s: loss before and every parameter after each step", async (_name, c) => {
    await expectNoLeak(c.name, () => {
      const { model, params: initial } = goldenModel(c)
      const { lr, momentum, weightDecay } = c.optimizer.base
      const method = jacobianRegularized({
        lambdaFeatures: c.optimizer.lambdaFeatures!,
        lambdaHead: c.optimizer.lambdaHead!,
        headWeight: model.headWeight,
        base: sgd({ lr, momentum, weightDecay })
      })
      const x = tf.tensor2d(c.data.x)
      const y = tf.tensor1d(c.data.y, "int32")
      let params: Params = initial
      let state = method.init(params)
      for (let s = 0; s < c.steps; s++) {
        const r = method.step(params, state, { x, y }, (p, xs) => model.apply(p, xs, { training: true }), s)
        expectAllClose(`${c.name} loss before step ${s}`, [r.loss], [c.expected.lossBeforeEachStep[s]!])
        expect(r.objective).toBeGreaterThan(r.loss)
        disposeParams(params, r.modelState)
        method.disposeState(state)
        params = r.params
        state = r.state
        c.expected.layersAfterEachStep[s]!.forEach((layer, i) => {
          const key = i === c.model.layers.length - 1 ? "head" : `dense_${i}`
          expectAllClose(`${c.name} step ${s} ${key}/kernel`, values(params[`${key}/kernel`]!), layer.W.flat())
          expectAllClose(`${c.name} step ${s} ${key}/bias`, values(params[`${key}/bias`]!), layer.b)
        })
      }
      disposeParams(params)
      method.disposeState(state)
      x.dispose()
      y.dispose()
    })
  })
})
