import * as tf from "@tensorflow/tfjs-core"
import { describe, it } from "vitest"
import { type Params, Rng, disposeParams, expectNoLeak, linear, sgd } from "@samlab/core-tensor"
import { sam } from "@samlab/optim-sam"
import { oneSamGradientFactors } from "../src/index.js"
import { expectAllClose, values } from "./helpers.js"

/**
 * optim-sam's 1-SAM (`sam` with chunkSize 1) on core-tensor's two-class `linear` model is
 * logistic regression on z = logit_1 - logit_0 = <w_1 - w_0, x> + (b_1 - b_0), t = +1 for
 * class 1, -1 for class 0. An example's gradient is -t sigma(-m) (x, -x, 1, -1) over
 * (W[:,1], W[:,0], b_1, b_0), of norm sigma(-m) sqrt(2 (||x||^2 + 1)); moving along it by rho
 * lowers the margin by sqrt(2) rho sqrt(||x||^2 + 1). So the section-3 factor applies with
 * x augmented by a constant 1, w = (w_1 - w_0, b_1 - b_0) and radius sqrt(2) rho.
 */
describe("the 1-SAM factor predicts optim-sam's actual 1-SAM step", () => {
  it("one plain-SGD step of 1-SAM = w - lr mean_i factor_i g_i (5 seeds)", async () => {
    await expectNoLeak("1-SAM vs factor", () => {
      for (let seed = 0; seed < 5; seed++) {
        const d = 4
        const n = 6
        const rho = 0.7
        const lr = 0.5
        const rng = new Rng(seed)
        const model = linear({ inputDim: d, numClasses: 2 })
        const params: Params = model.init(rng.fork("init"))
        const xs = Array.from({ length: n }, () => Array.from(rng.normalArray(d)))
        const ys = Array.from({ length: n }, () => rng.int(2))
        const x = tf.tensor2d(xs)
        const y = tf.tensor1d(ys, "int32")
        const method = sam({ rho, chunkSize: 1, base: sgd({ lr }) })
        const r = method.step(params, method.init(params), { x, y }, (p, input) => model.apply(p, input, { training: true }), 0)

        const W = params["head/kernel"]!.arraySync() as number[][]
        const b = values(params["head/bias"]!)
        const wDiff = [...W.map((row) => row[1]! - row[0]!), b[1]! - b[0]!]
        const t = ys.map((c) => (c === 1 ? 1 : -1))
        const xAug = tf.tensor2d(xs.map((row) => [...row, 1]))
        const wAug = tf.tensor1d(wDiff)
        const tT = tf.tensor1d(t)
        const factorT = oneSamGradientFactors(wAug, xAug, tT, Math.SQRT2 * rho)
        const factors = values(factorT)
        // Expected update: -lr * mean_i factor_i * (-t_i sigma(-m_i)) * (x_i, -x_i, 1, -1), in float64.
        const step = xs.map((row, i) => {
          const m = t[i]! * row.reduce((s, v, k) => s + v * wDiff[k]!, wDiff[d]!)
          return ((lr / n) * factors[i]! * t[i]!) / (1 + Math.exp(m)) // = -lr/n * factor * (-t sigma(-m))
        })
        const expectedW = W.flatMap((row, k) => [
          row[0]! - step.reduce((s, c, i) => s + c * xs[i]![k]!, 0),
          row[1]! + step.reduce((s, c, i) => s + c * xs[i]![k]!, 0)
        ])
        const total = step.reduce((s, c) => s + c, 0)
        expectAllClose(`seed ${seed} W`, values(r.params["head/kernel"]!), expectedW, 1e-6, 1e-5)
        expectAllClose(`seed ${seed} b`, values(r.params["head/bias"]!), [b[0]! - total, b[1]! + total], 1e-6, 1e-5)
        disposeParams(params, r.params, r.modelState)
        tf.dispose([x, y, xAug, wAug, tT, factorT])
      }
    })
  })
})
