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
  MethodOptionOverridesSchema,
  MethodOptionsSchema,
  ModelSpecSchema,
  NoiseSchema,
  NonNegativeInt,
  PositiveInt,
  RecordsSchema,
  methodKeys,
  dataStep,
  reportStep,
  splitSizeIssues,
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
  /** Absent: the files must hold the official record counts; "any": your own files in CIFAR's format. */
  records: Schema.optionalKey(RecordsSchema),
  noise: withDefault(NoiseSchema, {}),
  /** Training examples, stratified (0 = all but the validation part). */
  trainSize: withDefault(NonNegativeInt, 0),
  validationSize: withDefault(NonNegativeInt, 1000),
  /** Test examples evaluated each epoch (0 = all 10,000). */
  testSize: withDefault(NonNegativeInt, 0),
  seeds: withDefault(Schema.Array(Schema.Int).check(Schema.isMinLength(1)), [0]),
  methods: withDefault(Schema.Array(MethodKeySchema).check(Schema.isMinLength(1)), ["erm", "sam", "lsam", "jsam", "jacreg"]),
  model: withDefault(ModelSpecSchema, { kind: "resnet18" }),
  epochs: withDefault(PositiveInt, 200),
  batchSize: withDefault(PositiveInt, 128),
  augment: withDefault(Schema.Boolean, true),
  base: withDefault(BaseOptimizerSchema, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }),
  /** rho, m-sharpness chunk size (1 = 1-SAM for sam/lsam/jsam; 0 = batch), the regularizer's lambdas. */
  options: withDefault(MethodOptionsSchema, { rho: 0.01 }),
  /** Per-method overrides of `options` (e.g. a rho tuned for J-SAM). */
  methodOptions: withDefault(Schema.Record(Schema.String, MethodOptionOverridesSchema), {}),
  /** Per-example SAM decomposition every `every` epochs (0 = never) on `examples` training examples. */
  decomposition: withDefault(
    Schema.Struct({
      every: withDefault(NonNegativeInt, 10),
      examples: withDefault(PositiveInt, 1000),
      rho: withDefault(Schema.Finite, 0.05),
      chunkSize: withDefault(PositiveInt, 1)
    }),
    {}
  ),
  /** Extra matrix axes over config fields, e.g. `{"noise.rate": [0, 0.2, 0.4]}`: each value is a group of its own in summary.json. */
  sweep: withDefault(Schema.Record(Schema.String, Schema.Array(Schema.Json)), {}),
  backend: BackendSchema
}).check(
  Schema.makeFilter((c) => [
    ...splitSizeIssues(c),
    ...(c.trainSize > 0 && c.trainSize < c.batchSize
      ? [{ path: ["trainSize"], issue: `${c.trainSize} is fewer than one batch (batchSize ${c.batchSize}): no step would run` }]
      : []),
    ...Object.keys(c.methodOptions)
      .filter((k) => !methodKeys.some((m) => m === k))
      .map((k) => ({ path: ["methodOptions", k], issue: `no method is called "${k}" (methods: ${methodKeys.join(", ")})` })),
    // seeds and methods are the matrix's own axes: a sweep over them would mislabel every cell
    ...Object.keys(c.sweep)
      .filter((k) => k === "seeds" || k === "methods")
      .map((k) => ({ path: ["sweep", k], issue: `${k} is already an axis of the matrix: set ${k}=[...] instead of sweeping it` }))
  ])
)
export type PaperConfig = typeof PaperConfig.Type

/** The CPU reproduction's scale: chosen by measurement so that SAM's gain shows within 30 minutes on 2 cores. */
const cpuScale = {
  model: { kind: "mlp", hidden: [512, 512] },
  trainSize: 10000,
  validationSize: 1000,
  epochs: 30,
  augment: false,
  seeds: [0, 1],
  // the regularizer as chosen by sweep-jacreg (best noisy-validation accuracy, seed 0): J-SAM's |u_i| weighting, a stronger head term
  options: { rho: 0.2, lambdaFeatures: 0.01, lambdaHead: 0.03, featureWeighting: "logit-term" },
  decomposition: { every: 5, examples: 1000, rho: 0.2, chunkSize: 1 }
}

/** The reviewers' sweeps: the CPU scale on one seed, without the per-example decomposition (not what they ask about). */
const reviewerScale = { ...cpuScale, seeds: [0], decomposition: { every: 0 } }

/**
 * The conv net with batch norm at CPU scale: a narrow CIFAR ResNet-8 (one BasicBlock per stage,
 * 8-16-32 channels) with crop+flip augmentation, 2,000 test images per epoch, 30 epochs. Width 8
 * and the smaller test set fit five methods and two seeds in about an hour on 2 cores (59 min
 * measured; width 16 would take about four times as long). lr and rho as chosen by sweep-cnn-lr and
 * sweep-cnn-rho on the noisy validation split (docs/results/sweep-cnn-lr, sweep-cnn-rho).
 */
const cnnScale = {
  model: { kind: "resnet", blocks: [1, 1, 1], width: 8 },
  trainSize: 10000,
  validationSize: 1000,
  testSize: 2000,
  epochs: 30,
  augment: true,
  seeds: [0, 1],
  // lr 0.1 of 0.02 / 0.05 / 0.1 (noisy-validation accuracy 31.5 / 32.9 / 34.2%), then rho 0.05 of 0.05 / 0.1 / 0.2 (32.2 / 30.9 / 28.9%)
  base: { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
  options: { rho: 0.05, lambdaFeatures: 0.01, lambdaHead: 0.03, featureWeighting: "logit-term" },
  // the per-example decomposition loops over examples on conv nets: off to fit the budget
  decomposition: { every: 0 }
}

export const paperCifar10 = makePipeline({
  name: "paper-cifar10",
  description: "SGD vs SAM vs L-SAM vs J-SAM vs the Jacobian regularizer under label noise (Baek, Kolter, Raghunathan, ICLR 2024)",
  config: PaperConfig,
  presets: {
    paper: {},
    // SANER's alpha as chosen by sweep-saner: the best noisy-validation accuracy of 0, 0.25, 0.5, 0.75 (docs/results/sweep-saner)
    cpu: { ...cpuScale, methods: ["erm", "sam", "lsam", "jsam", "jacreg", "saner"], methodOptions: { saner: { alpha: 0.75 } } },
    // the paper's object: one perturbation per example (chunk size 1) for SAM, L-SAM and J-SAM (batched dense path)
    // rho 0.01 as chosen on the noisy validation split from 0.01, 0.02, 0.05, 0.1 (1-SAM, seed 0; 0.05 and above do not train)
    "cpu-1sam": { ...cpuScale, methods: ["erm", "sam", "lsam", "jsam", "jacreg"], options: { ...cpuScale.options, chunkSize: 1, rho: 0.01 } },
    // SANER's alpha on the noisy validation split (pick the best validationAcc, never test accuracy)
    "sweep-saner": { ...cpuScale, methods: ["saner"], seeds: [0], decomposition: { every: 0 }, sweep: { "options.alpha": [0, 0.25, 0.5, 0.75] } },
    "cpu-cnn": { ...cnnScale, methods: ["erm", "sam", "lsam", "jsam", "jacreg"] },
    // the conv net's tuning in two stages, each on the noisy validation split: SGD's learning rate, then SAM's rho at that rate
    "sweep-cnn-lr": { ...cnnScale, methods: ["erm"], seeds: [0], epochs: 10, sweep: { "base.lr": [0.02, 0.05, 0.1] } },
    "sweep-cnn-rho": { ...cnnScale, methods: ["sam"], seeds: [0], epochs: 10, sweep: { "options.rho": [0.05, 0.1, 0.2] } },
    // the reviewers' questions, at CPU scale (SGD against SAM unless the question is about the others; one seed, no decomposition)
    "sweep-noise": { ...reviewerScale, methods: ["erm", "sam"], sweep: { "noise.rate": [0, 0.2, 0.4, 0.6, 0.8] } },
    "sweep-size": { ...reviewerScale, methods: ["erm", "sam"], sweep: { trainSize: [1000, 5000, 10000] } },
    "sweep-width": {
      ...reviewerScale,
      methods: ["erm", "sam"],
      sweep: {
        "model.hidden": [
          [128, 128],
          [512, 512],
          [1024, 1024]
        ]
      }
    },
    "sweep-rho": { ...reviewerScale, methods: ["sam", "jsam", "lsam"], sweep: { "options.rho": [0.05, 0.1, 0.2, 0.5] } },
    // the reference's open question: does a weighted form or a stronger penalty close more of SAM's gap?
    "sweep-jacreg": {
      ...cpuScale,
      methods: ["jacreg"],
      seeds: [0],
      decomposition: { every: 0 },
      sweep: {
        "options.featureWeighting": ["uniform", "logit-term"],
        "options.lambdaFeatures": [0.01, 0.03, 0.1, 0.3],
        "options.lambdaHead": [0.003, 0.01, 0.03]
      }
    },
    asymmetric: { ...reviewerScale, noise: { kind: "asymmetric", rate: 0.4 } },
    quick: {
      ...cpuScale,
      testSize: 2000,
      epochs: 18,
      seeds: [0],
      methods: ["erm", "sam"],
      decomposition: { every: 0 }
    }
  }
})
  .matrix((c) => ({ method: c.methods, seed: c.seeds }))
  .sweep((c) => c.sweep)
  .step(dataStep, {
    pick: ["dataset", "dir", "records", "trainSize", "validationSize", "testSize", "noise"],
    config: (_c, cell) => ({ seed: cell.values.seed })
  })
  .step(trainStep, {
    needs: ["data"],
    pick: ["model", "base", "epochs", "batchSize", "augment", "decomposition"],
    config: (c, { values: { method, seed } }) => ({ method, seed, options: { ...c.options, ...c.methodOptions[method] } })
  })
  .aggregate(summaryStep, { cellNeeds: ["train"] })
  .aggregate(reportStep, {
    cellNeeds: ["train"],
    needs: ["summary"],
    config: (c) => ({ title: `${c.dataset.toUpperCase()} with ${Math.round(100 * c.noise.rate)}% ${c.noise.kind} label noise`, config: c })
  })
  .provide(backendLayer)

export default paperCifar10
