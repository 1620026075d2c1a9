import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import {
  type Batch,
  type ForwardFn,
  type GradientTransformation,
  LabelMismatchError,
  NonFiniteLossError,
  OptimizerConfigError,
  Rng,
  type TrainingMethod,
  adam,
  adamw,
  applyUpdates,
  disposeParams,
  erm,
  expectNoLeak,
  flattenParams,
  meanCrossEntropy,
  mlp,
  sgd,
  smallCnn,
  valueAndGradParams
} from "@samlab/core-tensor"
import { MissingFeaturesError, MissingHeadWeightError, jacobianRegularized, makeJacobianRegMethod } from "../src/index.js"
import { expectAllClose } from "./helpers.js"

const model = mlp({ inputDim: 6, hidden: [5, 4], numClasses: 3, activation: "tanh" })
const forward: ForwardFn = (p, x) => model.apply(p, x, { training: true })

const makeBatch = (rng: Rng, n: number, dim: number, classes: number): Batch => ({
  x: tf.tensor2d(rng.normalArray(n * dim), [n, dim]),
  y: tf.tensor1d(
    Array.from({ length: n }, () => rng.int(classes)),
    "int32"
  )
})

/** Runs `steps` steps; returns the flat params after each and the reported losses. Frees everything. */
const run = <S>(method: TrainingMethod<S>, seed: number, steps: number): { params: Float32Array[]; losses: number[] } => {
  const rng = new Rng(seed)
  let params = model.init(rng.fork("init"))
  let state = method.init(params)
  const batch = makeBatch(rng.fork("data"), 8, 6, 3)
  const out = { params: [] as Float32Array[], losses: [] as number[] }
  for (let s = 0; s < steps; s++) {
    const r = method.step(params, state, batch, forward, s)
    disposeParams(params, r.modelState)
    method.disposeState(state)
    params = r.params
    state = r.state
    out.params.push(flattenParams(params))
    out.losses.push(r.loss)
  }
  disposeParams(params)
  method.disposeState(state)
  tf.dispose([batch.x, batch.y])
  return out
}

/**
 * The same training written out by hand: the gradient of CE + the penalty spelled out with
 * tfjs ops here (not the package's code), handed to the base transformation.
 */
const reference = <S>(base: GradientTransformation<S>, lf: number, lh: number, seed: number, steps: number): Float32Array[] => {
  const rng = new Rng(seed)
  let params = model.init(rng.fork("init"))
  let state = base.init(params)
  const batch = makeBatch(rng.fork("data"), 8, 6, 3)
  const out: Float32Array[] = []
  for (let s = 0; s < steps; s++) {
    const { value, grads } = valueAndGradParams((p) => {
      const o = forward(p, batch.x)
      const featureTerm = tf.mean(tf.sum(tf.square(o.features!), 1))
      const headTerm = tf.sum(tf.square(p["head/kernel"]!))
      return tf.addN([meanCrossEntropy(o.logits, batch.y), tf.mul(featureTerm, lf), tf.mul(headTerm, lh)]) as tf.Scalar
    }, params)
    const { updates, state: next } = base.update(grads, state, params)
    const newParams = applyUpdates(params, updates)
    disposeParams(params, updates, grads)
    value.dispose()
    base.disposeState(state)
    params = newParams
    state = next
    out.push(flattenParams(params))
  }
  disposeParams(params)
  base.disposeState(state)
  tf.dispose([batch.x, batch.y])
  return out
}

describe("jacobianRegularized with every base optimizer", () => {
  const bases: [string, () => GradientTransformation<any>][] = [
    ["sgd with momentum and weight decay", () => sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })],
    ["adam", () => adam({ lr: 0.01 })],
    ["adamw", () => adamw({ lr: 0.01, weightDecay: 0.01 })]
  ]
  it.each(bases)("%s: follows the base step on the gradient of CE + penalty (4 steps, no leak)", async (_name, makeBase) => {
    const got = await expectNoLeak("jacreg run", () => run(jacobianRegularized({ lambdaFeatures: 0.05, lambdaHead: 0.02, base: makeBase() }), 3, 4).params)
    const want = reference(makeBase(), 0.05, 0.02, 3, 4)
    got.forEach((p, s) => expectAllClose(`step ${s}`, p, want[s]!, 1e-6, 1e-5))
  })

  it("lambdas of 0 give exactly plain training (erm)", () => {
    const a = run(jacobianRegularized({ lambdaFeatures: 0, lambdaHead: 0, base: sgd({ lr: 0.1, momentum: 0.9 }) }), 5, 3)
    const b = run(erm(sgd({ lr: 0.1, momentum: 0.9 })), 5, 3)
    expect(a.params).toEqual(b.params)
    expect(a.losses).toEqual(b.losses)
  })

  it("reports the mean cross-entropy as its loss, the penalty and their sum apart", () => {
    const rng = new Rng(9)
    const params = model.init(rng.fork("init"))
    const batch = makeBatch(rng.fork("data"), 8, 6, 3)
    const method = jacobianRegularized({ lambdaFeatures: 0.1, lambdaHead: 0.1, base: sgd({ lr: 0.1 }) })
    const state = method.init(params)
    const r = method.step(params, state, batch, forward, 0)
    const o = forward(params, batch.x)
    const ce = meanCrossEntropy(o.logits, batch.y)
    expect(r.loss).toBeCloseTo(ce.dataSync()[0]!, 6)
    const f = o.features!.arraySync() as number[][]
    const h = (params["head/kernel"]!.arraySync() as number[][]).flat()
    const penalty = (0.1 * f.reduce((s, row) => s + row.reduce((a, v) => a + v * v, 0), 0)) / f.length + 0.1 * h.reduce((a, v) => a + v * v, 0)
    expect(r.penalty).toBeCloseTo(penalty, 5)
    expect(r.objective).toBeCloseTo(r.loss + r.penalty, 5)
    disposeParams(params, r.params, r.modelState)
    tf.dispose([ce, batch.x, batch.y, o.logits, o.features!, ...Object.values(o.activations ?? {})])
  })

  it("same seed, same numbers", () => {
    const make = () =>
      jacobianRegularized({ lambdaFeatures: 0.05, lambdaHead: 0.02, norm: "unsquared", featureWeighting: "logit-term", base: adam({ lr: 0.01 }) })
    expect(run(make(), 11, 3)).toEqual(run(make(), 11, 3))
  })

  it("a named layer of a CNN as the features, and the model state passed through", async () => {
    const cnn = smallCnn({ numClasses: 3, channels: [2], dense: 4, inputShape: [4, 4, 1] })
    const marker = { tag: tf.scalar(0) }
    const fwd: ForwardFn = (p, x) => ({ ...cnn.apply(p, x, { training: true }), state: { tag: tf.add(marker.tag, 1) } })
    await expectNoLeak("cnn run", () => {
      const method = jacobianRegularized({ lambdaFeatures: 0.1, lambdaHead: 0.1, featureLayer: "conv_0", headWeight: cnn.headWeight, base: sgd({ lr: 0.05 }) })
      const rng = new Rng(2)
      const params = cnn.init(rng)
      const batch = makeBatch(rng.fork("data"), 8, 16, 3)
      const x = tf.reshape(batch.x, [8, 4, 4, 1])
      const r = method.step(params, method.init(params), { x, y: batch.y }, fwd, 0)
      expect(r.modelState!["tag"]!.dataSync()[0]).toBe(1)
      // Reference: the conv_0 activations' mean squared norm, by the test's own tfjs ops.
      const o = cnn.apply(params, x, { training: true })
      const featureTerm = tf.tidy(() => tf.mean(tf.sum(tf.square(tf.reshape(o.activations["conv_0"]!, [8, -1])), 1)))
      const headTerm = tf.tidy(() => tf.sum(tf.square(params["head/kernel"]!)))
      expect(r.penalty).toBeCloseTo(0.1 * featureTerm.dataSync()[0]! + 0.1 * headTerm.dataSync()[0]!, 5)
      disposeParams(params, r.params, r.modelState)
      tf.dispose([x, batch.x, batch.y, featureTerm, headTerm, o.logits, o.features, ...Object.values(o.activations)])
    })
    marker.tag.dispose()
  })

  it("makeJacobianRegMethod fills the reference lambdas (1e-2 each)", () => {
    const a = run(makeJacobianRegMethod({ base: sgd({ lr: 0.1 }) }), 4, 2)
    const b = run(jacobianRegularized({ lambdaFeatures: 1e-2, lambdaHead: 1e-2, base: sgd({ lr: 0.1 }) }), 4, 2)
    expect(a).toEqual(b)
    expect(makeJacobianRegMethod({ base: sgd({ lr: 0.1 }) }).name).toBe("jacreg(sgd)")
  })
})

describe("jacobianRegularized typed errors", () => {
  it("bad settings at construction, naming the field", () => {
    const base = sgd({ lr: 0.1 })
    expect(() => jacobianRegularized({ lambdaFeatures: -1, lambdaHead: 0, base })).toThrow(OptimizerConfigError)
    expect(() => jacobianRegularized({ lambdaFeatures: 0, lambdaHead: -0.5, base })).toThrow(
      /jacobianRegularized: lambdaHead must be a finite number >= 0, got -0.5/
    )
    expect(() => jacobianRegularized({ lambdaFeatures: 0, lambdaHead: 0, base: undefined as never })).toThrow(/base must be a GradientTransformation/)
    expect(() => jacobianRegularized({ lambdaFeatures: 0, lambdaHead: 0, featureLayer: "", base })).toThrow(/featureLayer must be a non-empty string/)
  })

  /** One step that must throw `errorClass`; checks the message and that nothing leaked. */
  const stepThrows = async (
    method: TrainingMethod<any>,
    batchOf: (rng: Rng) => Batch,
    fwd: ForwardFn,
    stepNumber: number,
    errorClass: new (...a: any[]) => Error,
    message: RegExp
  ) => {
    const rng = new Rng(1)
    const params = model.init(rng)
    const batch = batchOf(rng)
    const state = method.init(params)
    await expectNoLeak("failing step", () => {
      let caught: unknown
      try {
        method.step(params, state, batch, fwd, stepNumber)
      } catch (e) {
        caught = e
      }
      expect(caught).toBeInstanceOf(errorClass)
      expect((caught as Error).message).toMatch(message)
      return caught
    })
    disposeParams(params)
    method.disposeState(state)
    tf.dispose([batch.x, batch.y])
  }
  const method = jacobianRegularized({ lambdaFeatures: 0.1, lambdaHead: 0.1, base: sgd({ lr: 0.1, momentum: 0.9 }) })
  const good = (rng: Rng) => makeBatch(rng, 4, 6, 3)

  it("a NaN loss names the step", async () => {
    const bad = (rng: Rng): Batch => {
      const b = makeBatch(rng, 4, 6, 3)
      const x = tf.mul(b.x, tf.tensor1d([1, 1, Number.NaN, 1, 1, 1]))
      b.x.dispose()
      return { x, y: b.y }
    }
    await stepThrows(method, bad, forward, 17, NonFiniteLossError, /loss is NaN at step 17/)
  })

  it("an infinite penalty (features overflowing float32) names the step", async () => {
    const huge = (rng: Rng): Batch => {
      const b = makeBatch(rng, 4, 6, 3)
      return { x: b.x, y: b.y }
    }
    const overflow: ForwardFn = (p, x) => {
      const o = forward(p, x)
      return { logits: o.logits, features: tf.mul(o.features!, 1e30) as tf.Tensor2D }
    }
    await stepThrows(method, huge, overflow, 4, NonFiniteLossError, /loss is Infinity at step 4/)
  })

  it("a forward without features, and an unknown layer", async () => {
    const logitsOnly: ForwardFn = (p, x) => ({ logits: forward(p, x).logits })
    await stepThrows(method, good, logitsOnly, 2, MissingFeaturesError, /jacreg\(sgd\) step 2: the forward output has no "features"/)
    const named = jacobianRegularized({ lambdaFeatures: 0.1, lambdaHead: 0, featureLayer: "dense_9", base: sgd({ lr: 0.1 }) })
    await stepThrows(named, good, forward, 3, MissingFeaturesError, /no activation named "dense_9" .*\[dense_0, dense_1\]/)
  })

  it("a head weight key that is not a param", async () => {
    const wrong = jacobianRegularized({ lambdaFeatures: 0, lambdaHead: 0.1, headWeight: "fc.weight", base: sgd({ lr: 0.1 }) })
    await stepThrows(wrong, good, forward, 5, MissingHeadWeightError, /step 5: no parameter "fc.weight"/)
  })

  it("labels outside the classes", async () => {
    const outOfRange = (rng: Rng): Batch => ({ x: tf.tensor2d(rng.normalArray(12), [2, 6]), y: tf.tensor1d([0, 3], "int32") })
    await stepThrows(method, outOfRange, forward, 6, LabelMismatchError, /step 6: label 3 of example 1 is outside \[0, 3\)/)
  })
})
