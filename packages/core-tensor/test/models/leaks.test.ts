import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import {
  type Params,
  Rng,
  applyUpdates,
  disposeParams,
  expectNoLeak,
  meanCrossEntropy,
  mlp,
  resnet18,
  sgd,
  valueAndGradParams,
  valueAndGradParamsWithAux
} from "../../src/index.js"

/** A separable toy problem: the label is the index of the largest of the first 3 inputs. */
const toyData = (n: number, dim: number, seed: number) => {
  const values = new Rng(seed).normalArray(n * dim)
  const labels = Array.from({ length: n }, (_, i) => {
    const row = values.subarray(i * dim, i * dim + 3)
    return row.indexOf(Math.max(...row))
  })
  return { x: tf.tensor2d(values, [n, dim]), y: tf.tensor1d(labels, "int32") }
}

describe("training leaks no tensors", () => {
  it("50 SGD steps of the MLP (inline tf.valueAndGrads + tf.tidy): live tensor count unchanged, loss goes down", async () => {
    const model = mlp({ inputDim: 8, hidden: [16, 16], numClasses: 3 })
    const { x, y } = toyData(32, 8, 1)
    let params: Params = model.init(new Rng(2))
    const names = Object.keys(params)
    const losses: number[] = []
    await expectNoLeak("50 inline SGD steps", () => {
      for (let step = 0; step < 50; step++) {
        const next = tf.tidy(() => {
          const f = (...ws: tf.Tensor[]) => meanCrossEntropy(model.apply(Object.fromEntries(names.map((k, i) => [k, ws[i]!])), x, { training: true }).logits, y)
          const { value, grads } = tf.valueAndGrads(f)(names.map((k) => params[k]!))
          losses.push(value.dataSync()[0]!)
          return Object.fromEntries(names.map((k, i) => [k, tf.sub(params[k]!, tf.mul(grads[i]!, 0.5))]))
        })
        disposeParams(params)
        params = next
      }
    })
    expect(losses[49]!).toBeLessThan(0.7 * losses[0]!)
    disposeParams(params)
    tf.dispose([x, y])
  })

  it("50 steps with core-tensor's sgd (momentum), valueAndGradParams and applyUpdates", async () => {
    const model = mlp({ inputDim: 8, hidden: [16, 16], numClasses: 3, activation: "tanh" })
    const { x, y } = toyData(32, 8, 3)
    const opt = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })
    let params: Params = model.init(new Rng(4))
    let state = opt.init(params)
    const losses: number[] = []
    await expectNoLeak("50 sgd steps", () => {
      for (let step = 0; step < 50; step++) {
        const { value, grads } = valueAndGradParams((p) => meanCrossEntropy(model.apply(p, x, { training: true }).logits, y), params)
        losses.push(value.dataSync()[0]!)
        const { updates, state: nextState } = opt.update(grads, state, params)
        const next = applyUpdates(params, updates)
        value.dispose()
        disposeParams(grads, updates, params)
        opt.disposeState(state)
        params = next
        state = nextState
      }
    })
    expect(losses[49]!).toBeLessThan(0.7 * losses[0]!)
    disposeParams(params)
    opt.disposeState(state)
    tf.dispose([x, y])
  })

  it("steps of a tiny resnet18 carrying its batch-norm state: no leak, and the state moves", async () => {
    const model = resnet18({ width: 2, numClasses: 3, inputShape: [8, 8, 3] })
    const x = tf.tensor4d(new Rng(5).normalArray(4 * 192), [4, 8, 8, 3])
    const y = tf.tensor1d([0, 1, 2, 0], "int32")
    let params: Params = model.init(new Rng(6))
    let bnState: Params = model.initState()
    const before = Array.from(bnState["stem/bn/moving_mean"]!.dataSync())
    await expectNoLeak("resnet steps", () => {
      for (let step = 0; step < 3; step++) {
        const { value, grads, aux } = valueAndGradParamsWithAux((p) => {
          const out = model.apply(p, x, { training: true, state: bnState })
          return { loss: meanCrossEntropy(out.logits, y), aux: out.state }
        }, params)
        const next = tf.tidy(() => Object.fromEntries(Object.keys(params).map((k) => [k, tf.sub(params[k]!, tf.mul(grads[k]!, 0.05))])))
        value.dispose()
        disposeParams(grads, params, bnState)
        params = next
        bnState = aux
      }
    })
    expect(Array.from(bnState["stem/bn/moving_mean"]!.dataSync())).not.toEqual(before)
    disposeParams(params, bnState)
    tf.dispose([x, y])
  })
})
