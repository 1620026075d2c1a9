import { type ForwardFn, type Params, type TrainingMethod, makeModel } from "@samlab/core-tensor"
import { TensorBackend } from "@samlab/core-tensor/effect"
import { groupBShareOn } from "@samlab/optim-sam"
import { type EpochMetrics, type TrackedDecomposition, createTracker } from "@samlab/analysis-decomposition"
import { Progress, StepCheckpoint, makeStep } from "@samlab/pipeline"
import { Data, Effect, Option, Schema } from "effect"
import { Batcher } from "@samlab/data-noisy-cifar"
import { oneSamGradientFactor } from "@samlab/theory"
import type { LabelledImages, PreparedData } from "../data/prepare.js"
import { makeMethod } from "./methods.js"
import { BaseOptimizerSchema, MethodKeySchema, MethodOptionsSchema, ModelSpecSchema, NonNegative, NonNegativeInt, PositiveInt, withDefault } from "../schema.js"
import { type TrainState, encodeTrainState, makeTrainer, restoreTrainState } from "./loop.js"
import { type TrainResult, TrainResultSchema, finiteOrNull, jsonSafe } from "./result.js"

export class TrainingError extends Data.TaggedError("TrainingError")<{ readonly method: string; readonly seed: number; readonly cause: unknown }> {
  override get message(): string {
    return `training ${this.method} (seed ${this.seed}): ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

export const TrainConfigSchema = Schema.Struct({
  model: withDefault(ModelSpecSchema, { kind: "mlp", hidden: [512, 512] }),
  method: MethodKeySchema,
  options: withDefault(MethodOptionsSchema, {}),
  base: withDefault(BaseOptimizerSchema, {}),
  epochs: withDefault(PositiveInt, 30),
  batchSize: withDefault(PositiveInt, 128),
  augment: withDefault(Schema.Boolean, false),
  seed: withDefault(Schema.Int, 0),
  /** Per-example SAM decomposition every `every` epochs (0 = never) on the first `examples` training examples. */
  decomposition: withDefault(
    Schema.Struct({
      every: withDefault(NonNegativeInt, 0),
      examples: withDefault(PositiveInt, 1000),
      rho: withDefault(NonNegative, 0.05),
      chunkSize: withDefault(PositiveInt, 1)
    }),
    {}
  ),
  /** Evaluate the linear model's 1-SAM reweighting factor at this rho every epoch (0 = off). */
  reweightingRho: withDefault(NonNegative, 0)
})
export type TrainConfig = typeof TrainConfigSchema.Type

/** A split in fixed order, normalised like training batches (by the data package), as the tracker reads it. */
const evaluationSource = (split: LabelledImages, data: PreparedData) => {
  const batcher = new Batcher({
    images: split.images,
    labels: split.labels,
    batchSize: 500,
    normalization: data.normalization,
    shuffle: false,
    augment: false,
    seed: 0
  })
  return { labels: split.labels, cleanLabels: split.cleanLabels, isNoisy: split.isNoisy, batches: () => batcher.batches(0) }
}

/** Up to `count` training examples of one kind (clean or noisy), in dataset order, as one batch source. */
const probeBatcher = (data: PreparedData, noisy: boolean, count: number): Batcher | undefined => {
  const indices = Array.from({ length: data.train.n }, (_, i) => i)
    .filter((i) => (data.train.isNoisy[i] === 1) === noisy)
    .slice(0, count)
  return indices.length === 0
    ? undefined
    : new Batcher({
        images: data.train.images,
        labels: data.train.labels,
        indices,
        batchSize: indices.length,
        normalization: data.normalization,
        shuffle: false,
        seed: 0
      })
}

/**
 * SANER's group-B share on a fixed batch of clean and one of noisy training examples (with
 * their training labels) at the epoch's params: whom SAM's down-weighting acts on.
 */
const groupBProbe = (data: PreparedData, rho: number, examples = 128) => {
  const clean = probeBatcher(data, false, examples)
  const noisy = probeBatcher(data, true, examples)
  const shareOn = async (b: Batcher | undefined, params: Params, forward: ForwardFn): Promise<number | null> => {
    let share: number | null = null
    await b?.forEachBatch(0, (batch) => void (share = groupBShareOn(params, batch, forward, rho)))
    return share
  }
  return async (params: Params, forward: ForwardFn) => ({
    groupBShareClean: await shareOn(clean, params, forward),
    groupBShareNoisy: await shareOn(noisy, params, forward)
  })
}

interface Saved {
  readonly skeleton: unknown
  readonly history: EpochMetrics[]
  /** Per epoch: the method's step metrics (mean over the epoch) and probes, merged into the history rows. */
  readonly extras?: Array<Record<string, number | null>>
  readonly decompositions: TrackedDecomposition[]
  readonly wallSeconds: number
}

/** Trains one (method, seed) on the prepared data, evaluating every epoch; checkpoints each epoch and resumes from the last. */
export const trainStep = makeStep({
  name: "train",
  description: "train one method with per-epoch tracking, checkpointed every epoch",
  version: 1,
  config: TrainConfigSchema,
  output: TrainResultSchema,
  run: (c: TrainConfig, inputs: { data: PreparedData }) =>
    Effect.gen(function* () {
      const backend = yield* TensorBackend
      const checkpoint = yield* StepCheckpoint
      const progress = yield* Progress
      const data = inputs.data
      const model = makeModel(c.model, { inputShape: [32, 32, 3], numClasses: data.numClasses })
      const batches = Math.floor(data.train.n / c.batchSize)
      const method: TrainingMethod<any> = makeMethod(c.method, c.options, c.base, batches * c.epochs, { spec: c.model, model })
      const saved = Option.getOrUndefined(yield* checkpoint.latest)
      const savedJson = saved?.json as Saved | undefined
      const start: TrainState<unknown> | undefined = saved?.bytes && savedJson ? restoreTrainState(savedJson.skeleton, saved.bytes) : undefined
      if (start) progress.log(`train ${c.method} seed ${c.seed}: resumed after epoch ${start.epoch}`)
      const tracker = createTracker({
        model,
        train: evaluationSource(data.train, data),
        test: evaluationSource(data.test, data),
        validation: data.validation.n > 0 ? evaluationSource(data.validation, data) : undefined,
        reweighting: c.reweightingRho > 0 ? { rho: c.reweightingRho, factor: oneSamGradientFactor } : undefined,
        decomposition:
          c.decomposition.every > 0
            ? {
                every: c.decomposition.every,
                examples: Math.min(c.decomposition.examples, data.train.n),
                perturbation: { rho: c.decomposition.rho, chunkSize: c.decomposition.chunkSize }
              }
            : undefined,
        history: savedJson?.history ?? [],
        decompositions: savedJson?.decompositions ?? []
      })
      let wallSeconds = savedJson?.wallSeconds ?? 0
      const extras = [...(savedJson?.extras ?? [])]
      const probe = c.method === "saner" ? groupBProbe(data, c.options.rho) : undefined
      const task = progress.start(`train ${c.method} seed ${c.seed}`, c.epochs)
      for (let e = 0; e < (start?.epoch ?? 0); e++) task.tick()
      const trainingError = (cause: unknown) => new TrainingError({ method: c.method, seed: c.seed, cause })
      const trainer = yield* Effect.try({
        try: () => makeTrainer({ model, method, data, batchSize: c.batchSize, augment: c.augment, seed: c.seed, start }),
        catch: trainingError
      })
      // each epoch is one promise that stops before its next batch once the fiber is interrupted
      // (tryPromise aborts the signal); the state is disposed however the loop ends
      yield* Effect.gen(function* () {
        while (trainer.state().epoch < c.epochs) {
          const { epoch, state, seconds, stepMetrics } = yield* Effect.tryPromise({ try: (signal) => trainer.runEpoch(signal), catch: trainingError })
          wallSeconds += seconds
          const m = tracker.record(epoch, state.params, state.modelState)
          const probed = probe
            ? yield* Effect.tryPromise({
                try: () => probe(state.params, (p, x) => model.apply(p, x, { training: true, state: state.modelState })),
                catch: trainingError
              })
            : {}
          extras.push({ ...stepMetrics, ...probed })
          const { skeleton, bytes } = encodeTrainState(state)
          const json: Saved = {
            skeleton,
            history: jsonSafe([...tracker.history]),
            extras: jsonSafe(extras),
            decompositions: jsonSafe([...tracker.decompositions]),
            wallSeconds
          }
          yield* checkpoint.save({ json, bytes })
          task.tick(
            `test ${(100 * m.testAcc).toFixed(1)}% clean ${(100 * m.cleanTrainAcc).toFixed(1)}% noisy-fit ${Number.isFinite(m.noisyTrainAccNoisyLabel) ? (100 * m.noisyTrainAccNoisyLabel).toFixed(1) : "-"}%`
          )
        }
      }).pipe(Effect.ensuring(Effect.sync(trainer.dispose)))
      const s = tracker.summary()
      task.done(`best ${(100 * s.bestTestAcc).toFixed(1)}% at epoch ${s.bestEpoch}`)
      return {
        method: c.method,
        seed: c.seed,
        backend: backend.name,
        wallSeconds,
        summary: {
          bestTestAcc: finiteOrNull(s.bestTestAcc),
          bestEpoch: s.bestEpoch,
          finalTestAcc: finiteOrNull(s.finalTestAcc),
          earlyStopTestAcc: finiteOrNull(s.earlyStopTestAcc),
          earlyStopEpoch: s.earlyStopEpoch ?? null,
          cleanTrainAccAtBest: finiteOrNull(s.cleanTrainAccAtBest),
          noisyTrainAccAtBest: finiteOrNull(s.noisyTrainAccNoisyLabelAtBest)
        },
        noise: { nominalRate: data.noise.nominalRate, realisedRate: data.noise.realisedRate, changed: data.noise.changed },
        history: jsonSafe(tracker.history.map((h, i) => ({ ...h, ...extras[i] }))) as unknown as TrainResult["history"],
        decompositions: jsonSafe(tracker.decompositions) as unknown as TrainResult["decompositions"]
      } satisfies TrainResult
    })
})
