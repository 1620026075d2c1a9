import {
  type Model,
  type Params,
  type TrainingMethod,
  Rng,
  TaggedError,
  decodeTensorTree,
  disposeParams,
  encodeTensorTree,
  nonFiniteParams,
  stepper,
  trainingForward
} from "@samlab/core-tensor"
import { Batcher } from "@samlab/data-noisy-cifar"
import type { PreparedData } from "../data/prepare.js"

/** Everything a training run needs to continue exactly where it stopped. */
export interface TrainState<S> {
  readonly epoch: number
  readonly params: Params
  readonly methodState: S
  readonly modelState: Params
}

export interface EpochEnd<S> {
  /** 1-based number of the epoch just finished. */
  readonly epoch: number
  readonly state: TrainState<S>
  readonly meanLoss: number
  /** The mean over the epoch's steps of each metric the method reports (`StepResult.metrics`). */
  readonly stepMetrics: Readonly<Record<string, number>>
  readonly seconds: number
}

export interface TrainerOptions<S> {
  readonly model: Model
  readonly method: TrainingMethod<S>
  readonly data: PreparedData
  readonly batchSize: number
  readonly augment: boolean
  readonly seed: number
  /** Where to start: a state from `restoreTrainState`, or a fresh one. */
  readonly start?: TrainState<S> | undefined
  readonly onBatch?: ((epoch: number, batch: number, batches: number) => void) | undefined
}

export interface TrainLoopOptions<S> extends TrainerOptions<S> {
  readonly epochs: number
  /** Called after every epoch, with the state (owned by the loop: copy what you keep). */
  readonly onEpochEnd: (end: EpochEnd<S>) => Promise<void>
  /** Stops training before the next batch once aborted (the loop rejects with the signal's reason). */
  readonly signal?: AbortSignal | undefined
}

/** Trains one epoch at a time from a state it owns until `dispose`. */
export interface Trainer<S> {
  /** The current state (owned by the trainer: copy what you keep). */
  readonly state: () => TrainState<S>
  /**
   * Trains the next epoch. Once `signal` aborts, no further batch starts: the epoch rejects
   * with the signal's reason and the state is left as it was after the last whole batch.
   */
  readonly runEpoch: (signal?: AbortSignal) => Promise<EpochEnd<S>>
  /** Disposes the state; later calls do nothing. */
  readonly dispose: () => void
}

/**
 * Fewer training examples than one batch: with whole batches only, no step would run and the
 * untrained model would be reported as a result, so the loop refuses before any work.
 */
export class TrainSetTooSmallError extends TaggedError("TrainSetTooSmallError") {
  constructor(
    readonly trainSize: number,
    readonly batchSize: number
  ) {
    super(
      `the training split has ${trainSize} example(s), fewer than one batch (batchSize ${batchSize}): no step would run; lower batchSize or raise trainSize`
    )
  }
}

/** An update left a parameter (or model state) with a NaN or an infinity: the run diverged. */
export class NonFiniteParamsError extends TaggedError("NonFiniteParamsError") {
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly names: readonly string[]
  ) {
    super(`training diverged: after step ${step} (epoch ${epoch}) ${names.join(", ")} hold non-finite values (try a smaller learning rate or rho)`)
  }
}

/** A fresh state: parameters drawn from the seed, the method's initial state. */
export const initialTrainState = <S>(model: Model, method: TrainingMethod<S>, seed: number): TrainState<S> => {
  const params = model.init(new Rng(seed).fork("init"))
  return { epoch: 0, params, methodState: method.init(params), modelState: model.initState() }
}

export const disposeTrainState = <S>(method: TrainingMethod<S>, s: TrainState<S>): void => {
  disposeParams(s.params, s.modelState)
  method.disposeState(s.methodState)
}

/** The state as a JSON skeleton and one byte blob (exact float32 bits). */
export const encodeTrainState = <S>(s: TrainState<S>) =>
  encodeTensorTree({ epoch: s.epoch, params: s.params, methodState: s.methodState, modelState: s.modelState })

export const restoreTrainState = <S>(skeleton: unknown, bytes: Uint8Array): TrainState<S> => decodeTensorTree<TrainState<S>>(skeleton as never, bytes)

/**
 * A trainer over whole batches seeded by (seed, epoch), so resuming from a saved state at
 * epoch k replays exactly the batches an uninterrupted run would see.
 */
export const makeTrainer = <S>(o: TrainerOptions<S>): Trainer<S> => {
  const batcher = new Batcher({
    images: o.data.train.images,
    labels: o.data.train.labels,
    batchSize: o.batchSize,
    normalization: o.data.normalization,
    augment: o.augment,
    dropLast: true,
    seed: new Rng(o.seed).fork("batches")
  })
  if (batcher.batchesPerEpoch === 0) throw new TrainSetTooSmallError(o.data.train.n, o.batchSize)
  const start = o.start ?? initialTrainState(o.model, o.method, o.seed)
  const run = stepper({
    method: o.method,
    forward: trainingForward(o.model),
    params: start.params,
    modelState: start.modelState,
    methodState: start.methodState,
    stepsDone: start.epoch * batcher.batchesPerEpoch
  })
  let epochsDone = start.epoch
  let disposed = false
  const state = (): TrainState<S> => ({ epoch: epochsDone, params: run.params, methodState: run.methodState, modelState: run.modelState })
  const runEpoch = async (signal?: AbortSignal): Promise<EpochEnd<S>> => {
    const epoch = epochsDone + 1
    const started = performance.now()
    let lossSum = 0
    let batches = 0
    const metricSums: Record<string, number> = {}
    await batcher.forEachBatch(epoch, (batch, b) => {
      // checked before the state is touched: an interrupted run may have disposed it already
      signal?.throwIfAborted()
      if (disposed) throw new Error("the trainer's state was disposed")
      const result = run.step(batch)
      // checked after every update, so no evaluation or checkpoint ever sees a diverged model
      const bad = [...nonFiniteParams(run.params), ...nonFiniteParams(run.modelState).map((k) => `model state ${k}`)]
      if (bad.length > 0) throw new NonFiniteParamsError(run.stepsDone, epoch, bad)
      lossSum += result.loss
      for (const [k, v] of Object.entries(result.metrics ?? {})) metricSums[k] = (metricSums[k] ?? 0) + v
      batches++
      o.onBatch?.(epoch, b + 1, batcher.batchesPerEpoch)
    })
    epochsDone = epoch
    const stepMetrics = Object.fromEntries(Object.entries(metricSums).map(([k, v]) => [k, v / Math.max(1, batches)]))
    return { epoch, state: state(), meanLoss: lossSum / Math.max(1, batches), stepMetrics, seconds: (performance.now() - started) / 1000 }
  }
  return {
    state,
    runEpoch,
    dispose: () => {
      if (!disposed) run.dispose()
      disposed = true
    }
  }
}

/**
 * Trains epoch by epoch up to `epochs` (see `makeTrainer`), calling `onEpochEnd` after each.
 * Returns the final state (owned by the caller); on failure or abort the state is disposed.
 */
export const trainLoop = async <S>(o: TrainLoopOptions<S>): Promise<TrainState<S>> => {
  const trainer = makeTrainer(o)
  try {
    while (trainer.state().epoch < o.epochs) await o.onEpochEnd(await trainer.runEpoch(o.signal))
    return trainer.state()
  } catch (e) {
    trainer.dispose()
    throw e
  }
}
