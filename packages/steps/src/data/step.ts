import { makeStep } from "@samlab/pipeline"
import { Data, Effect, Schema } from "effect"
import { prepareData } from "./prepare.js"
import { DatasetNameSchema, Fraction, NonNegativeInt, RecordsSchema, splitSizeIssues, withDefault } from "../schema.js"

export class DataLoadError extends Data.TaggedError("DataLoadError")<{ readonly cause: unknown }> {
  override get message(): string {
    return this.cause instanceof Error ? this.cause.message : String(this.cause)
  }
}

export const NoiseSchema = Schema.Struct({
  kind: withDefault(Schema.Literals(["none", "symmetric", "symmetric-all", "asymmetric"]), "symmetric"),
  rate: withDefault(Fraction, 0.3),
  /** `exact`: exactly round(rate n) labels changed, stratified by class; `bernoulli`: each with probability rate. */
  mode: withDefault(Schema.Literals(["exact", "bernoulli"]), "exact")
})

export const DataConfigSchema = Schema.Struct({
  dataset: withDefault(DatasetNameSchema, "cifar10"),
  dir: Schema.optionalKey(Schema.String),
  records: Schema.optionalKey(RecordsSchema),
  trainSize: withDefault(NonNegativeInt, 0),
  validationSize: withDefault(NonNegativeInt, 1000),
  testSize: withDefault(NonNegativeInt, 0),
  noise: withDefault(NoiseSchema, {}),
  seed: withDefault(Schema.Int, 0)
}).check(Schema.makeFilter(splitSizeIssues))
export type DataConfig = typeof DataConfigSchema.Type

/** Loads the dataset and makes the noisy training, validation and test splits (kept in memory, recomputed when needed). */
export const dataStep = makeStep({
  name: "data",
  description: "load CIFAR, take a stratified subset, apply label noise, hold out a noisy validation split",
  config: DataConfigSchema,
  run: (c: DataConfig) => Effect.tryPromise({ try: () => prepareData(c), catch: (cause) => new DataLoadError({ cause }) })
})
