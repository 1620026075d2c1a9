import { type ModelSpec, ModelSpecError, parseModelSpec } from "@samlab/core-tensor"
import { officialSplitSize } from "@samlab/data-noisy-cifar"
import { defaultLambdas, featureWeightings, penaltyNorms } from "@samlab/optim-jacobian-reg"
import { samFamilyKeys, unknownMethodKeyMessage } from "@samlab/optim-sam"
import { Fraction, NonNegative, NonNegativeInt, PositiveInt, withDefault } from "@samlab/pipeline"
import { Schema } from "effect"

export { Fraction, NonNegative, NonNegativeInt, PositiveInt, withDefault }

export const DatasetNameSchema = Schema.Literals(["cifar10", "cifar100"])

/** `official` (absent): the files must hold the official record counts; `any`: any whole number of records (your own files). */
export const RecordsSchema = Schema.Literals(["official", "any"])

interface SplitSizes {
  readonly dataset: "cifar10" | "cifar100"
  readonly records?: "official" | "any" | undefined
  readonly trainSize: number
  readonly validationSize: number
  readonly testSize: number
}

/**
 * Split sizes the official dataset cannot hold, each at its field (checked when the config is
 * decoded, before anything runs; with `records: "any"` the loader checks them against the files).
 */
export const splitSizeIssues = (c: SplitSizes): Array<{ path: [string]; issue: string }> => {
  if (c.records === "any") return []
  const train = officialSplitSize(c.dataset, "train")
  const test = officialSplitSize(c.dataset, "test")
  const issues: Array<{ path: [string]; issue: string }> = []
  if (c.testSize > test) issues.push({ path: ["testSize"], issue: `${c.testSize} exceeds the ${test} test examples of ${c.dataset} (0 = all)` })
  if (c.validationSize >= train)
    issues.push({ path: ["validationSize"], issue: `${c.validationSize} leaves no training example of the ${train} in ${c.dataset}` })
  else if (c.trainSize + c.validationSize > train)
    issues.push({
      path: ["trainSize"],
      issue: `trainSize ${c.trainSize} + validationSize ${c.validationSize} exceeds the ${train} training examples of ${c.dataset}`
    })
  return issues
}

/** The problem `parseModelSpec` finds in a spec, at the field it names (`hidden[1]`), or undefined. */
const modelSpecIssue = (spec: unknown): { path: [string]; issue: string } | undefined => {
  try {
    parseModelSpec(spec, "")
    return undefined
  } catch (e) {
    if (!(e instanceof ModelSpecError)) throw e
    return { path: [e.field.replace(/^\./, "")], issue: e.reason }
  }
}

/**
 * core-tensor's `ModelSpec` as a config field. core-tensor stays Effect-free, so its
 * `parseModelSpec` is the source of truth: this Schema only declares the shape (so an override
 * such as `model.hidden=[64]` finds its field, and the compiler checks below that the decoded
 * type is `ModelSpec` itself) and leaves every rule (positive sizes, a stage per block count,
 * the allowed fields per kind) to `parseModelSpec`, run as its check.
 */
export const ModelSpecSchema = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("linear") }),
  Schema.Struct({ kind: Schema.Literal("two-layer-linear"), hidden: Schema.Number, bias: Schema.optionalKey(Schema.Boolean) }),
  Schema.Struct({ kind: Schema.Literal("mlp"), hidden: Schema.Array(Schema.Number), activation: Schema.optionalKey(Schema.Literals(["relu", "tanh"])) }),
  Schema.Struct({ kind: Schema.Literal("cnn"), channels: Schema.optionalKey(Schema.Array(Schema.Number)), dense: Schema.optionalKey(Schema.Number) }),
  Schema.Struct({ kind: Schema.Literal("resnet18"), width: Schema.optionalKey(Schema.Number) }),
  /** BasicBlocks per stage: [1, 1, 1] is a ResNet-8. */
  Schema.Struct({ kind: Schema.Literal("resnet"), blocks: Schema.Array(Schema.Number), width: Schema.optionalKey(Schema.Number) })
]).check(Schema.makeFilter((spec) => modelSpecIssue(spec) ?? true))

/** Fails to compile if the Schema's decoded type and core-tensor's `ModelSpec` ever differ. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const modelSpecSchemaIsModelSpec: Same<typeof ModelSpecSchema.Type, ModelSpec> = true
void modelSpecSchemaIsModelSpec

/** The method keys every experiment understands: optim-sam's (`erm` = the base optimizer alone, ...) and the Jacobian regularizer. */
export const methodKeys = [...samFamilyKeys, "jacreg"] as const
export type MethodKey = (typeof methodKeys)[number]
const isMethodKey = (s: string): s is MethodKey => methodKeys.some((k) => k === s)
/** A method key; an old key (`sgd`) fails with a message naming its new name, not the bare list. */
export const MethodKeySchema = Schema.String.check(
  Schema.makeFilter((s: string) => isMethodKey(s) || unknownMethodKeyMessage(s, methodKeys), undefined, true)
).pipe(Schema.refine(isMethodKey))

export const BaseOptimizerSchema = Schema.Struct({
  kind: withDefault(Schema.Literals(["sgd", "adam", "adamw"]), "sgd"),
  lr: withDefault(Schema.Finite.check(Schema.isGreaterThan(0)), 0.01),
  momentum: withDefault(Fraction, 0.9),
  weightDecay: withDefault(NonNegative, 5e-4),
  /** `cosine` decays the rate to 0 over the run; `constant` keeps it. */
  schedule: withDefault(Schema.Literals(["constant", "cosine"]), "constant")
})
export type BaseOptimizerConfig = typeof BaseOptimizerSchema.Type

const PenaltyNormSchema = Schema.Literals(penaltyNorms)
const FeatureWeightingSchema = Schema.Literals(featureWeightings)

/**
 * Hyper-parameters of the SAM family and of the Jacobian regularizer, one set for every method key;
 * the regularizer's fields carry @samlab/optim-jacobian-reg's names and defaults.
 */
export const MethodOptionsSchema = Schema.Struct({
  rho: withDefault(NonNegative, 0.05),
  /** m-sharpness chunk size for `sam`, `lsam`, `jsam` (0 = the whole batch); `sam1` always uses 1. */
  chunkSize: withDefault(NonNegativeInt, 0),
  lambdaFeatures: withDefault(NonNegative, defaultLambdas.lambdaFeatures),
  lambdaHead: withDefault(NonNegative, defaultLambdas.lambdaHead),
  /** SANER's scale of group B (the coordinates SAM already shrinks); 1 = SAM. */
  alpha: withDefault(NonNegative, 0.5),
  /** "logit-term" weights the feature penalty per example by the frozen ||u_i|| (J-SAM's implicit coefficient); absent: "uniform". */
  featureWeighting: Schema.optionalKey(FeatureWeightingSchema),
  /** The regularizer's norms: "squared" (absent: the paper's form) or "unsquared" (the first-order J-SAM penalty's). */
  norm: Schema.optionalKey(PenaltyNormSchema)
})
export type MethodOptionsConfig = typeof MethodOptionsSchema.Type
/** Every method option at its default (rho 0.05, whole batch, SANER's alpha 0.5...). */
export const defaultMethodOptions: MethodOptionsConfig = Schema.decodeUnknownSync(MethodOptionsSchema)({})

/** Per-method overrides of `MethodOptionsSchema` (each field optional), e.g. a rho tuned for J-SAM. */
export const MethodOptionOverridesSchema = Schema.Struct({
  rho: Schema.optionalKey(NonNegative),
  chunkSize: Schema.optionalKey(NonNegativeInt),
  lambdaFeatures: Schema.optionalKey(NonNegative),
  lambdaHead: Schema.optionalKey(NonNegative),
  alpha: Schema.optionalKey(NonNegative),
  featureWeighting: Schema.optionalKey(FeatureWeightingSchema),
  norm: Schema.optionalKey(PenaltyNormSchema)
})
