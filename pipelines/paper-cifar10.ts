/**
 * The paper's main experiment: SGD, SAM, L-SAM, J-SAM and the Jacobian regularizer on
 * CIFAR-10 with 30% symmetric label noise, tracked every epoch (test accuracy, clean vs
 * noisy training accuracy, feature and head norms) with the per-example decomposition of
 * SAM's gradient at a few epochs, summarised over seeds into summary.json and report.html.
 */
import { makePipeline } from "@samlab/pipeline"
import {
  BaseOptimizerSchema,
  MethodKeySchema,
  MethodOptionsSchema,
  ModelSpecSchema,
  NoiseSchema,
  NonNegativeInt,
  PositiveInt,
  type MethodKey,
  dataStep,
  reportStep,
  summaryStep,
  trainStep,
  withDefault
} from "@samlab/steps"
import { Schema } from "effect"
import { BackendSchema, backendLayer } from "./common.js"

export const PaperConfig = Schema.Struct({
  dataset: withDefault(Schema.Literals(["cifar10", "cifar100"]), "cifar10"),
  /** Folder of the binary files (else CIFAR10_DIR, the cache, or a download). */
  dir: Schema.optionalKey(Schema.String),
  noise: withDefault(NoiseSchema, {}),
  /** Training examples, stratified (0 = all but the validation part). */
  trainSize: withDefault(NonNegativeInt, 0),
  validationSize: withDefault(NonNegativeInt, 1000),
  /** Test examples evaluated each epoch (0 = all 10,000). */
  testSize: withDefault(NonNegativeInt, 0),
  seeds: withDefault(Schema.Array(Schema.Int), [0]),
  methods: withDefault(Schema.Array(MethodKeySchema), ["sgd", "sam", "lsam", "jsam", "jacreg"]),
  model: withDefault(ModelSpecSchema, { kind: "resnet18" }),
  epochs: withDefault(PositiveInt, 200),
  batchSize: withDefault(PositiveInt, 128),
  augment: withDefault(Schema.Boolean, true),
  base: withDefault(BaseOptimizerSchema, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }),
  /** rho, m-sharpness chunk size (1 = 1-SAM for sam/lsam/jsam; 0 = batch), the regularizer's lambdas. */
  options: withDefault(MethodOptionsSchema, { rho: 0.01 }),
  /** Per-method overrides of `options` (e.g. a rho tuned for J-SAM). */
  methodOptions: withDefault(Schema.Record(Schema.String, Schema.Struct({ rho: Schema.optionalKey(Schema.Finite), lambdaFeatures: Schema.optionalKey(Schema.Finite), lambdaHead: Schema.optionalKey(Schema.Finite), chunkSize: Schema.optionalKey(NonNegativeInt), weightByLogitTerm: Schema.optionalKey(Schema.Boolean) })), {}),
  /** Per-example SAM decomposition every `every` epochs (0 = never) on `examples` training examples. */
  decomposition: withDefault(Schema.Struct({ every: withDefault(NonNegativeInt, 10), examples: withDefault(PositiveInt, 1000), rho: withDefault(Schema.Finite, 0.05), chunkSize: withDefault(PositiveInt, 1) }), {}),
  backend: BackendSchema
})
export type PaperConfig = typeof PaperConfig.Type

const rest = <T extends Record<string, unknown>>(v: T | undefined) => Object.fromEntries(Object.entries(v ?? {}).filter(([, x]) => x !== undefined))

export const paperCifar10 = makePipeline({
  name: "paper-cifar10",
  description: "SGD vs SAM vs L-SAM vs J-SAM vs the Jacobian regularizer under label noise (Baek, Kolter, Raghunathan, ICLR 2024)",
  config: PaperConfig,
  presets: {
    paper: {},
    cpu: {
      model: { kind: "mlp", hidden: [512, 512] },
      trainSize: 10000,
      validationSize: 1000,
      epochs: 30,
      augment: false,
      seeds: [0, 1],
      options: { rho: 0.2, lambdaFeatures: 0.01, lambdaHead: 0.01 },
      decomposition: { every: 5, examples: 1000, rho: 0.2, chunkSize: 1 }
    },
    quick: {
      model: { kind: "mlp", hidden: [512, 512] },
      trainSize: 5000,
      validationSize: 500,
      testSize: 2000,
      epochs: 12,
      augment: false,
      seeds: [0],
      methods: ["sgd", "sam"],
      options: { rho: 0.2 },
      decomposition: { every: 0 }
    }
  }
})
  .matrix((c) => ({ method: c.methods, seed: c.seeds }))
  .step(dataStep, {
    config: (c, cell) => ({
      dataset: c.dataset,
      ...(c.dir !== undefined ? { dir: c.dir } : {}),
      trainSize: c.trainSize,
      validationSize: c.validationSize,
      testSize: c.testSize,
      noise: c.noise,
      seed: cell.values["seed"] as number
    })
  })
  .step(trainStep, {
    needs: ["data"],
    config: (c, cell) => {
      const method = cell.values["method"] as MethodKey
      return {
        model: c.model,
        method,
        options: { ...c.options, ...rest(c.methodOptions[method]) },
        base: c.base,
        epochs: c.epochs,
        batchSize: c.batchSize,
        augment: c.augment,
        seed: cell.values["seed"] as number,
        decomposition: c.decomposition
      }
    }
  })
  .aggregate(summaryStep, { cellNeeds: ["train"], config: () => ({}) })
  .aggregate(reportStep, { cellNeeds: ["train"], needs: ["summary"], config: (c) => ({ title: `${c.dataset.toUpperCase()} with ${Math.round(100 * c.noise.rate)}% ${c.noise.kind} label noise`, config: c as never }) })
  .provide(backendLayer)

export default paperCifar10
