import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import {
  type Batch,
  type ForwardFn,
  type GradientTransformation,
  type LossTerm,
  type Params,
  OptimizerConfigError,
  Rng,
  type TrainingMethod,
  applyUpdates,
  disposeParams,
  expectNoLeak,
  flattenParams,
  meanCrossEntropy,
  mlp,
  sgd,
  stepper,
  valueAndGradParams,
  valueAndGradParamsWithAux,
  withBase,
  withLossTerm
} from "@samlab/core-tensor"
import { perturbation, sam, samEstimator } from "@samlab/optim-sam"
import { jacobianLossTerm, jacobianRegularized } from "../src/index.js"
import { expectAllClose } from "./helpers.js"

/**
 * SAM on `CE + penalty` written out by hand, independently of the estimators: gradient of the objective at w, optim-sam's
 * `perturbation`, gradient of the objective at w + eps, base step at w.
 */
const samOnRegularized = <S>(rho: number, term: LossTerm, base: GradientTransformation<S>): TrainingMethod<S> => ({
  name: `sam(rho=${rho}) on CE + jacobian penalty`,
  init: (params) => base.init(params),
  disposeState: (state) => base.disposeState(state),
  step: (params, state, batch, forward, stepNumber) => {
    const objective = (p: Params) => {
      const out = forward(p, batch.x)
      const ce = meanCrossEntropy(out.logits, batch.y)
      return { loss: tf.add(ce, term.value(out, p, batch.y, "test")) as tf.Scalar, aux: ce }
    }
    const first = valueAndGradParamsWithAux(objective, params)
    const eps = perturbation(params, first.grads, { rho })
    const perturbed = applyUpdates(params, eps)
    const second = valueAndGradParams((p) => objective(p).loss, perturbed)
    const { updates, state: next } = base.update(second.grads, state, params)
    const newParams = applyUpdates(params, updates)
    const loss = first.aux.dataSync()[0]!
    disposeParams(first.grads, eps, perturbed, second.grads, updates)
    tf.dispose([first.value, first.aux, second.value])
    if (!Number.isFinite(loss)) throw new Error(`step ${stepNumber}: loss ${loss}`)
    return { params: newParams, state: next, loss }
  }
})

const model = mlp({ inputDim: 5, hidden: [6], numClasses: 3, activation: "relu" })
const forward: ForwardFn = (p, x) => model.apply(p, x, { training: true })

const trajectory = <S>(method: TrainingMethod<S>, steps: number): Float32Array[] => {
  const rng = new Rng(21)
  const run = stepper({ method, forward, params: model.init(rng.fork("init")) })
  const batch: Batch = { x: tf.tensor2d(rng.normalArray(40), [8, 5]), y: tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], "int32") }
  const out: Float32Array[] = []
  for (let s = 0; s < steps; s++) {
    run.step(batch)
    out.push(flattenParams(run.params))
  }
  run.dispose()
  tf.dispose([batch.x, batch.y])
  return out
}

/** The one-line composition under test. */
const samPlusPenalty = <S>(rho: number, term: LossTerm, base: GradientTransformation<S>): TrainingMethod<S> =>
  withBase(withLossTerm(samEstimator({ rho }), term), base)

describe("SAM + the Jacobian penalty: withLossTerm(samEstimator, jacobianLossTerm)", () => {
  const base = () => sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })
  const options = { lambdaFeatures: 0.05, lambdaHead: 0.02 }

  it("equals SAM on CE + penalty written out by hand", async () => {
    const composed = await expectNoLeak("composed", () => trajectory(samPlusPenalty(0.1, jacobianLossTerm(options), base()), 3))
    const byHand = trajectory(samOnRegularized(0.1, jacobianLossTerm(options), base()), 3)
    composed.forEach((p, s) => expectAllClose(`step ${s}`, p, byHand[s]!, 1e-6, 1e-5))
  })

  it("with lambdas 0 it is optim-sam's SAM, bit for bit", () => {
    const composed = trajectory(samPlusPenalty(0.1, jacobianLossTerm({ lambdaFeatures: 0, lambdaHead: 0 }), base()), 3)
    const plain = trajectory(sam({ rho: 0.1, base: base() }), 3)
    composed.forEach((p, s) => expect(p, `step ${s}`).toEqual(plain[s]))
  })

  it("with rho 0 it is jacobianRegularized (the regularizer's gradient)", () => {
    const composed = trajectory(samPlusPenalty(0, jacobianLossTerm(options), base()), 3)
    const reg = trajectory(jacobianRegularized({ ...options, base: base() }), 3)
    composed.forEach((p, s) => expectAllClose(`step ${s}`, p, reg[s]!, 1e-6, 1e-5))
  })

  it("reports the cross-entropy as its loss and the penalty apart", () => {
    const method = samPlusPenalty(0.1, jacobianLossTerm(options), base())
    const rng = new Rng(3)
    const params = model.init(rng.fork("init"))
    const state = method.init(params)
    const batch: Batch = { x: tf.tensor2d(rng.normalArray(40), [8, 5]), y: tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], "int32") }
    const reg = jacobianRegularized({ ...options, base: base() })
    const regState = reg.init(params)
    const r = method.step(params, state, batch, forward, 1)
    const want = reg.step(params, regState, batch, forward, 1)
    expect(r.loss).toBeCloseTo(want.loss, 6)
    expect(r.penalty).toBeCloseTo(want.penalty, 6)
    disposeParams(params, r.params, want.params)
    method.disposeState(state)
    method.disposeState(r.state)
    reg.disposeState(regState)
    reg.disposeState(want.state)
    tf.dispose([batch.x, batch.y])
  })
})

describe("stacking the penalty with SAM through jacobianLossTerm", () => {
  const base = () => sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })

  it("with lambdas 0 it is optim-sam's SAM", async () => {
    const stacked = await expectNoLeak("stacked", () => trajectory(samOnRegularized(0.1, jacobianLossTerm({ lambdaFeatures: 0, lambdaHead: 0 }), base()), 3))
    const plain = trajectory(sam({ rho: 0.1, base: base() }), 3)
    stacked.forEach((p, s) => expectAllClose(`step ${s}`, p, plain[s]!, 1e-6, 1e-5))
  })

  it("with rho 0 it is jacobianRegularized", async () => {
    const options = { lambdaFeatures: 0.05, lambdaHead: 0.02 }
    const stacked = await expectNoLeak("stacked", () => trajectory(samOnRegularized(0, jacobianLossTerm(options), base()), 3))
    const reg = trajectory(jacobianRegularized({ ...options, base: base() }), 3)
    stacked.forEach((p, s) => expectAllClose(`step ${s}`, p, reg[s]!, 1e-6, 1e-5))
  })

  it("with both, it differs from each (the penalty moves the perturbed gradient)", () => {
    const term = jacobianLossTerm({ lambdaFeatures: 0.05, lambdaHead: 0.02 })
    const both = trajectory(samOnRegularized(0.1, term, base()), 2)[1]!
    const samOnly = trajectory(sam({ rho: 0.1, base: base() }), 2)[1]!
    const regOnly = trajectory(jacobianRegularized({ lambdaFeatures: 0.05, lambdaHead: 0.02, base: base() }), 2)[1]!
    const distance = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0))
    expect(distance(both, samOnly)).toBeGreaterThan(1e-4)
    expect(distance(both, regOnly)).toBeGreaterThan(1e-4)
  })

  it("jacobianLossTerm checks its options once, up front", () => {
    expect(() => jacobianLossTerm({ lambdaFeatures: -1, lambdaHead: 0 })).toThrow(OptimizerConfigError)
  })
})
