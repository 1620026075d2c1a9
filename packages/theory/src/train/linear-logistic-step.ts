import { makeStep, NonNegative, NonNegativeInt, PositiveInt } from "@samlab/pipeline"
import { Effect, Schema } from "effect"
import { type LinearLogisticRecord, runLinearLogistic } from "./linear-logistic-run.js"
import type { NoisyMixture } from "../data/mixture.js"
import { MaybeNumber, PositiveFinite, orNull } from "../schema.js"
import { timedTheoryRun } from "./timed-run.js"

export const LinearLogisticTrainConfigSchema = Schema.Struct({
  /** 0 = plain full-batch GD. */
  rho: NonNegative,
  lr: PositiveFinite,
  steps: NonNegativeInt,
  recordEvery: PositiveInt,
  initScale: NonNegative,
  seed: Schema.Int
})
export type LinearLogisticTrainConfig = typeof LinearLogisticTrainConfigSchema.Type

export const LinearLogisticRecordSchema = Schema.Struct({
  step: Schema.Int,
  trainLoss: MaybeNumber,
  testLoss: MaybeNumber,
  testAcc: MaybeNumber,
  trainAcc: MaybeNumber,
  cleanTrainAcc: MaybeNumber,
  noisyFit: MaybeNumber,
  cleanWeight: MaybeNumber,
  noisyWeight: MaybeNumber,
  weightRatio: MaybeNumber,
  closedFormMaxRelErr: MaybeNumber,
  wNorm: MaybeNumber,
  cosMu: MaybeNumber
})
export type StoredLinearLogisticRecord = typeof LinearLogisticRecordSchema.Type

/** One (rho, seed) run as stored: NaN (an empty group) is null. */
export const LinearLogisticResultSchema = Schema.Struct({
  rho: Schema.Finite,
  seed: Schema.Int,
  backend: Schema.String,
  wallSeconds: Schema.Finite,
  steps: Schema.Int,
  flipped: Schema.Int,
  records: Schema.Array(LinearLogisticRecordSchema)
})
export type LinearLogisticResult = typeof LinearLogisticResultSchema.Type

const stored = (r: LinearLogisticRecord): StoredLinearLogisticRecord =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === "step" ? v : orNull(v)])) as unknown as StoredLinearLogisticRecord

/** Full-batch GD or 1-SAM on the noisy mixture for one (rho, seed), with the closed-form check at every record. */
export const linearLogisticTrainStep = makeStep({
  name: "train",
  description: "full-batch GD (rho = 0) or 1-SAM (per-example perturbations by autodiff) on linear logistic regression",
  config: LinearLogisticTrainConfigSchema,
  output: LinearLogisticResultSchema,
  run: (c: LinearLogisticTrainConfig, inputs: { readonly data: NoisyMixture }) =>
    Effect.gen(function* () {
      const {
        value: records,
        wallSeconds,
        backend
      } = yield* timedTheoryRun(`linear-logistic rho=${c.rho} seed=${c.seed}`, c, (tick) =>
        runLinearLogistic({
          ...c,
          data: inputs.data,
          onRecord: (r) =>
            tick(`step ${r.step} test ${(100 * r.testAcc).toFixed(1)}% noisy-fit ${(100 * r.noisyFit).toFixed(0)}% ratio ${r.weightRatio.toFixed(2)}`)
        })
      )
      return {
        rho: c.rho,
        seed: c.seed,
        backend,
        wallSeconds,
        steps: c.steps,
        flipped: inputs.data.flipped,
        records: records.map(stored)
      } satisfies LinearLogisticResult
    })
})
