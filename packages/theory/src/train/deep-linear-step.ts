import { makeStep, NonNegative, NonNegativeInt, PositiveInt } from "@samlab/pipeline"
import { Effect, Schema } from "effect"
import { type DeepLinearMetrics, type DeepLinearRecord, runDeepLinear } from "./deep-linear-run.js"
import type { NoisyMixture } from "../data/mixture.js"
import { MaybeNumber, PositiveFinite, orNull } from "../schema.js"
import { timedTheoryRun } from "./timed-run.js"

export const DeepLinearTrainConfigSchema = Schema.Struct({
  hidden: PositiveInt,
  rho: NonNegative,
  lr: PositiveFinite,
  steps: NonNegativeInt,
  recordEvery: PositiveInt,
  initScale: NonNegative,
  seed: Schema.Int,
  checkExamples: NonNegativeInt
})
export type DeepLinearTrainConfig = typeof DeepLinearTrainConfigSchema.Type

const MetricsSchema = Schema.Struct({
  trainLoss: MaybeNumber,
  testAcc: MaybeNumber,
  cleanTrainAcc: MaybeNumber,
  noisyFit: MaybeNumber,
  headNormSq: MaybeNumber,
  featureNormSq: MaybeNumber
})
export type StoredDeepLinearMetrics = typeof MetricsSchema.Type

export const DeepLinearRecordSchema = Schema.Struct({
  step: Schema.Int,
  jsam: MetricsSchema,
  objective: MetricsSchema,
  gd: MetricsSchema,
  paramRelDiff: MaybeNumber,
  objectiveCheckRelErr: MaybeNumber
})
export type StoredDeepLinearRecord = typeof DeepLinearRecordSchema.Type

/** One (rho, seed) run as stored: the three trainers' records and the J-SAM/objective drift at every step. */
export const DeepLinearResultSchema = Schema.Struct({
  rho: Schema.Finite,
  seed: Schema.Int,
  hidden: Schema.Int,
  backend: Schema.String,
  wallSeconds: Schema.Finite,
  steps: Schema.Int,
  flipped: Schema.Int,
  records: Schema.Array(DeepLinearRecordSchema),
  /** ||theta_jsam - theta_objective||_inf / ||theta_jsam||_inf at steps 0..steps. */
  paramRelDiff: Schema.Array(MaybeNumber)
})
export type DeepLinearResult = typeof DeepLinearResultSchema.Type

const storedMetrics = (m: DeepLinearMetrics): StoredDeepLinearMetrics =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, orNull(v)])) as unknown as StoredDeepLinearMetrics

const stored = (r: DeepLinearRecord): StoredDeepLinearRecord => ({
  step: r.step,
  jsam: storedMetrics(r.jsam),
  objective: storedMetrics(r.objective),
  gd: storedMetrics(r.gd),
  paramRelDiff: orNull(r.paramRelDiff),
  objectiveCheckRelErr: orNull(r.objectiveCheckRelErr)
})

/** J-SAM, GD on the derived objective and plain GD in lockstep for one (rho, seed). */
export const deepLinearTrainStep = makeStep({
  name: "train",
  description: "two-layer linear net: per-example J-SAM vs GD on the derived regularised objective vs plain GD, same init and lr",
  config: DeepLinearTrainConfigSchema,
  output: DeepLinearResultSchema,
  run: (c: DeepLinearTrainConfig, inputs: { readonly data: NoisyMixture }) =>
    Effect.gen(function* () {
      const {
        value: run,
        wallSeconds,
        backend
      } = yield* timedTheoryRun(`deep-linear rho=${c.rho} seed=${c.seed}`, c, (tick) =>
        runDeepLinear({
          ...c,
          data: inputs.data,
          onRecord: (r) =>
            tick(
              `step ${r.step} drift ${r.paramRelDiff.toExponential(1)} test J-SAM ${(100 * r.jsam.testAcc).toFixed(1)}% GD ${(100 * r.gd.testAcc).toFixed(1)}%`
            )
        })
      )
      return {
        rho: c.rho,
        seed: c.seed,
        hidden: c.hidden,
        backend,
        wallSeconds,
        steps: c.steps,
        flipped: inputs.data.flipped,
        records: run.records.map(stored),
        paramRelDiff: run.paramRelDiff.map(orNull)
      } satisfies DeepLinearResult
    })
})
