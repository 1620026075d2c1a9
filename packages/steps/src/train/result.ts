import { Schema } from "effect"

const Accuracy = Schema.NullOr(Schema.Finite)

/** What one training run reports: stored, so reruns skip it and aggregate steps read it. */
export const TrainResultSchema = Schema.Struct({
  method: Schema.String,
  seed: Schema.Int,
  backend: Schema.String,
  wallSeconds: Schema.Finite,
  summary: Schema.Struct({
    bestTestAcc: Accuracy,
    bestEpoch: Schema.Int,
    finalTestAcc: Accuracy,
    earlyStopTestAcc: Accuracy,
    earlyStopEpoch: Schema.NullOr(Schema.Int),
    cleanTrainAccAtBest: Accuracy,
    noisyTrainAccAtBest: Accuracy
  }),
  noise: Schema.Struct({ nominalRate: Schema.Finite, realisedRate: Schema.Finite, changed: Schema.Int }),
  /** Per-epoch `EpochMetrics` of analysis-decomposition (NaN stored as null). */
  history: Schema.Array(Schema.Record(Schema.String, Schema.Unknown)),
  /** `TrackedDecomposition`s at the chosen epochs. */
  decompositions: Schema.Array(Schema.Record(Schema.String, Schema.Unknown))
})
export type TrainResult = typeof TrainResultSchema.Type

/** JSON has no NaN: an empty group's mean is stored as null. */
export const finiteOrNull = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v)

/** A deep copy with every non-finite number replaced by null. */
export const jsonSafe = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v))) as T
