import * as tf from "@tensorflow/tfjs-core"
import { Rng, disposeParams, mlp, selectBackend } from "@samlab/core-tensor"
import { jacobianPenalty } from "@samlab/optim-jacobian-reg"
import { Schema } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { MethodOptionOverridesSchema, MethodOptionsSchema, makeMethod } from "../src/index.js"

const model = mlp({ inputDim: 6, hidden: [5], numClasses: 3 })
const base = { kind: "sgd", lr: 0.1, momentum: 0, weightDecay: 0, schedule: "constant" } as const
const decodeOptions = Schema.decodeUnknownSync(MethodOptionsSchema)

/** The penalty a `jacreg` step built from `encoded` options reports, next to the one computed directly with `norm`. */
const penalties = (encoded: object, norm: "squared" | "unsquared") => {
  const options = decodeOptions(encoded)
  const method = makeMethod("jacreg", options, base, 1, { spec: { kind: "mlp", hidden: [5] }, model })
  const params = model.init(new Rng(4))
  const x = tf.tensor2d(Array.from({ length: 24 }, (_, i) => Math.sin(i)), [4, 6])
  const y = tf.tensor1d([0, 1, 2, 1], "int32")
  const state = method.init(params)
  const forward = (p: typeof params, xs: tf.Tensor) => model.apply(p, xs, { training: true })
  const result = method.step(params, state, { x, y }, forward, 0) as unknown as { params: typeof params; penalty: number }
  const direct = tf.tidy(() => jacobianPenalty(forward(params, x), params, { lambdaFeatures: options.lambdaFeatures, lambdaHead: options.lambdaHead, norm }).dataSync()[0]!)
  disposeParams(result.params)
  disposeParams(params)
  method.disposeState(state)
  tf.dispose([x, y])
  return { reported: result.penalty, direct }
}

describe("makeMethod: the regularizer's options reach the method", () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu", log: () => {} })
  })

  it("uses squared norms unless penaltyNorm says unsquared", () => {
    const lambdas = { lambdaFeatures: 0.3, lambdaHead: 0.2 }
    const squared = penalties(lambdas, "squared")
    const unsquared = penalties({ ...lambdas, penaltyNorm: "unsquared" }, "unsquared")
    expect(squared.reported).toBeCloseTo(squared.direct, 5)
    expect(unsquared.reported).toBeCloseTo(unsquared.direct, 5)
    expect(Math.abs(unsquared.reported - squared.reported)).toBeGreaterThan(1e-3)
  })

  it("refuses an unknown norm and a negative override, naming the field", () => {
    expect(() => decodeOptions({ penaltyNorm: "cubed" })).toThrow(/penaltyNorm/)
    expect(() => Schema.decodeUnknownSync(MethodOptionOverridesSchema)({ rho: -1 })).toThrow(/rho/)
  })
})
