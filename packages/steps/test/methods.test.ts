import * as tf from "@tensorflow/tfjs-core"
import { Rng, disposeParams, mlp } from "@samlab/core-tensor"
import { defaultLambdas, jacobianPenalty } from "@samlab/optim-jacobian-reg"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { MethodOptionOverridesSchema, MethodOptionsSchema, makeMethod } from "../src/index.js"

// tanh: with relu these inputs leave every hidden unit at 0, so the feature term would be 0 and prove nothing
const model = mlp({ inputDim: 6, hidden: [5], numClasses: 3, activation: "tanh" })
const base = { kind: "sgd", lr: 0.1, momentum: 0, weightDecay: 0, schedule: "constant" } as const
const decodeOptions = Schema.decodeUnknownSync(MethodOptionsSchema)

/** The penalty a `jacreg` step built from `encoded` options reports, next to the one computed directly with `setting`. */
const penalties = (encoded: object, setting: { norm?: "squared" | "unsquared"; featureWeighting?: "uniform" | "logit-term" }) => {
  const options = decodeOptions(encoded)
  const method = makeMethod("jacreg", options, base, 1, { spec: { kind: "mlp", hidden: [5], activation: "tanh" }, model })
  const params = model.init(new Rng(4))
  const x = tf.tensor2d(
    Array.from({ length: 24 }, (_, i) => Math.sin(i)),
    [4, 6]
  )
  const y = tf.tensor1d([0, 1, 2, 1], "int32")
  const state = method.init(params)
  const forward = (p: typeof params, xs: tf.Tensor) => model.apply(p, xs, { training: true })
  const result = method.step(params, state, { x, y }, forward, 0) as unknown as { params: typeof params; penalty: number }
  const direct = tf.tidy(
    () =>
      jacobianPenalty(forward(params, x), params, {
        lambdaFeatures: options.lambdaFeatures,
        lambdaHead: options.lambdaHead,
        ...setting,
        labels: y
      }).dataSync()[0]!
  )
  disposeParams(result.params)
  disposeParams(params)
  method.disposeState(state)
  tf.dispose([x, y])
  return { reported: result.penalty, direct }
}

describe("the regularizer's config: the library's names and defaults", () => {
  it("defaults its lambdas to optim-jacobian-reg's defaultLambdas (one default, 1e-2)", () => {
    const decoded = decodeOptions({})
    expect([decoded.lambdaFeatures, decoded.lambdaHead]).toEqual([defaultLambdas.lambdaFeatures, defaultLambdas.lambdaHead])
    expect(defaultLambdas).toEqual({ lambdaFeatures: 1e-2, lambdaHead: 1e-2 })
  })

  it("refuses the old field names (weightByLogitTerm, penaltyNorm)", () => {
    const decodeStrict = (v: object) => Schema.decodeUnknownSync(MethodOptionsSchema)(v, { onExcessProperty: "error" })
    expect(() => decodeStrict({ weightByLogitTerm: true })).toThrow(/weightByLogitTerm/)
    expect(() => decodeStrict({ penaltyNorm: "squared" })).toThrow(/penaltyNorm/)
  })
})

describe("makeMethod: the regularizer's options reach the method", () => {
  it("uses squared norms unless norm says unsquared", () => {
    const lambdas = { lambdaFeatures: 0.3, lambdaHead: 0.2 }
    const squared = penalties(lambdas, { norm: "squared" })
    const unsquared = penalties({ ...lambdas, norm: "unsquared" }, { norm: "unsquared" })
    expect(squared.reported).toBeCloseTo(squared.direct, 5)
    expect(unsquared.reported).toBeCloseTo(unsquared.direct, 5)
    expect(Math.abs(unsquared.reported - squared.reported)).toBeGreaterThan(1e-3)
  })

  it("weights the feature term by the frozen logit-term norm when featureWeighting says logit-term", () => {
    const lambdas = { lambdaFeatures: 0.3, lambdaHead: 0 }
    const uniform = penalties(lambdas, { featureWeighting: "uniform" })
    const weighted = penalties({ ...lambdas, featureWeighting: "logit-term" }, { featureWeighting: "logit-term" })
    expect(weighted.reported).toBeCloseTo(weighted.direct, 5)
    // c_i = ||u_i|| differs from 1 (and between examples), so the weighted term is another number
    expect(Math.abs(weighted.reported - uniform.reported)).toBeGreaterThan(1e-3)
  })

  it("refuses an unknown norm and a negative override, naming the field", () => {
    expect(() => decodeOptions({ norm: "cubed" })).toThrow(/norm/)
    expect(() => decodeOptions({ featureWeighting: "logit" })).toThrow(/featureWeighting/)
    expect(() => Schema.decodeUnknownSync(MethodOptionOverridesSchema)({ rho: -1 })).toThrow(/rho/)
  })
})
