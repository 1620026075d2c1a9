import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { type ForwardFn, type Params, Rng, disposeParams, expectNoLeak, sgd } from "@samlab/core-tensor"
import { type SamVariant, samFamily } from "../src/index.js"

/**
 * dense -> batch norm (batch statistics, running averages with momentum 0.1) -> relu -> head.
 * The running statistics it returns depend on the weights, so a perturbed pass would move
 * them differently from the unperturbed one.
 */
const bnForward =
  (state: Params): ForwardFn =>
  (p, x) => {
    const z = tf.matMul(x as tf.Tensor2D, p["hidden/kernel"] as tf.Tensor2D)
    const { mean, variance } = tf.moments(z, 0)
    const h = tf.relu(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, 1e-5))))
    const logits = tf.matMul<tf.Tensor2D>(h as tf.Tensor2D, p["head/kernel"] as tf.Tensor2D)
    return {
      logits,
      state: { mean: tf.add(tf.mul(state["mean"]!, 0.9), tf.mul(mean, 0.1)), var: tf.add(tf.mul(state["var"]!, 0.9), tf.mul(variance, 0.1)) }
    }
  }

const setup = () => {
  const rng = new Rng(11)
  const params: Params = { "hidden/kernel": tf.tensor2d(rng.normalArray(4 * 6), [4, 6]), "head/kernel": tf.tensor2d(rng.normalArray(6 * 3, 0, 0.5), [6, 3]) }
  const state: Params = { mean: tf.zeros([6]), var: tf.ones([6]) }
  const x = tf.tensor2d(rng.normalArray(8 * 4), [8, 4])
  const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], "int32")
  return { params, state, x, y, dispose: () => (disposeParams(params, state), tf.dispose([x, y])) }
}

describe("model state (batch-norm statistics) moves once per step, from the unperturbed pass", () => {
  it("whole batch: equals the state of one forward pass at w", async () => {
    const s = setup()
    const forward = bnForward(s.state)
    await expectNoLeak("bn", () => {
      const want = tf.tidy(() => forward(s.params, s.x).state!)
      for (const variant of ["sam", "lsam", "jsam"] as SamVariant[]) {
        const method = samFamily({ rho: 0.5, variant, base: sgd({ lr: 0.1 }) })
        const r = method.step(s.params, method.init(s.params), { x: s.x, y: s.y }, forward, 0)
        for (const k of ["mean", "var"]) expect(Array.from(r.modelState![k]!.dataSync())).toEqual(Array.from(want[k]!.dataSync()))
        disposeParams(r.params, r.modelState)
      }
      disposeParams(want)
    })
    s.dispose()
  })

  it("chunks: the mean of the chunks' unperturbed states (one averaged update)", () => {
    const s = setup()
    const forward = bnForward(s.state)
    const want = tf.tidy(() => {
      const a = forward(s.params, tf.slice(s.x, [0, 0], [4, 4])).state!
      const b = forward(s.params, tf.slice(s.x, [4, 0], [4, 4])).state!
      return { mean: tf.div(tf.add(a["mean"]!, b["mean"]!), 2), var: tf.div(tf.add(a["var"]!, b["var"]!), 2) }
    })
    const method = samFamily({ rho: 0.5, chunkSize: 4, base: sgd({ lr: 0.1 }) })
    const r = method.step(s.params, method.init(s.params), { x: s.x, y: s.y }, forward, 0)
    for (const k of ["mean", "var"] as const) {
      const got = r.modelState![k]!.dataSync()
      want[k].dataSync().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6))
    }
    disposeParams(r.params, r.modelState, want)
    s.dispose()
  })
})
