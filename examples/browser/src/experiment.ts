import * as tf from "@tensorflow/tfjs-core"
import { type Model, type Params, Rng, type TrainingMethod, disposeParams, erm, mlp, sgd } from "@samlab/core-tensor"
import { Batcher, CIFAR10_STATS, CIFAR10_RECORD, type CifarBatch, applyLabelNoise, decodeCifar10Into, recordCount } from "@samlab/data-noisy-cifar"
import { sam } from "@samlab/optim-sam"

export interface ExperimentOptions {
  readonly trainSize: number
  readonly testSize: number
  readonly noiseRate: number
  readonly epochs: number
  readonly rho: number
  readonly batchSize?: number
  readonly hidden?: readonly number[]
  readonly seed?: number
}

/** One method's numbers after an epoch (fractions in [0, 1]). */
export interface EpochPoint {
  readonly epoch: number
  readonly testAcc: number
  /** Accuracy on training examples whose label is clean. */
  readonly cleanTrainAcc: number
  /** Share of relabelled training examples predicted as their wrong label (memorisation). */
  readonly noisyFit: number
}

export type Curves = Readonly<Record<"SGD" | "SAM", readonly EpochPoint[]>>

/** Decodes a CIFAR-10 binary batch the user picked (bytes), checking its size and labels. */
export const decodeBatchFile = (name: string, bytes: Uint8Array) => {
  const n = recordCount(name, bytes.length, CIFAR10_RECORD.bytes)
  const out = { images: new Uint8Array(n * 3072), labels: new Uint8Array(n) }
  decodeCifar10Into(name, bytes, out, 0)
  return { n, ...out }
}

/** Accuracy of `model` on the batches against `labels`, and the share of `isNoisy` examples predicted as `labels` (read by index). */
const evaluate = (
  model: Model,
  params: Params,
  batcher: Batcher,
  epoch: number,
  truth: ArrayLike<number>,
  noisy?: { labels: ArrayLike<number>; isNoisy: ArrayLike<number> }
) => {
  let correct = 0
  let counted = 0
  let fit = 0
  let noisyCount = 0
  for (const batch of batcher.batches(epoch) as Iterable<CifarBatch>) {
    const predicted = tf.tidy(() => tf.argMax(model.apply(params, batch.x, { training: false }).logits, 1).dataSync())
    batch.index.forEach((example, i) => {
      const guess = predicted[i]!
      if (noisy?.isNoisy[example]) {
        noisyCount++
        if (guess === noisy.labels[example]) fit++
      } else {
        counted++
        if (guess === truth[example]) correct++
      }
    })
    tf.dispose([batch.x, batch.y])
  }
  return { acc: counted > 0 ? correct / counted : Number.NaN, noisyFit: noisyCount > 0 ? fit / noisyCount : Number.NaN }
}

/**
 * SGD and SAM side by side on one decoded CIFAR-10 batch: the first `trainSize` examples
 * (labels relabelled at `noiseRate`, symmetric) for training, the next `testSize` for testing;
 * the same MLP and initial weights for both. Calls `onEpoch` after each epoch of each method
 * (awaited, so a page can redraw). Seeded: the same file and options give the same curves.
 */
export const runSideBySide = async (
  data: { n: number; images: Uint8Array; labels: Uint8Array },
  o: ExperimentOptions,
  onEpoch: (curves: Curves) => Promise<void> | void
): Promise<Curves> => {
  if (o.trainSize + o.testSize > data.n) throw new RangeError(`trainSize + testSize (${o.trainSize + o.testSize}) exceed the file's ${data.n} examples`)
  const seed = o.seed ?? 0
  const trainIdx = Int32Array.from({ length: o.trainSize }, (_, i) => i)
  const testIdx = Int32Array.from({ length: o.testSize }, (_, i) => o.trainSize + i)
  const clean = data.labels.subarray(0, o.trainSize)
  const noise = applyLabelNoise(clean, { numClasses: 10, spec: { kind: "symmetric", rate: o.noiseRate }, rng: new Rng(seed).fork("noise") })
  const labels = Uint8Array.from(data.labels)
  labels.set(noise.noisy, 0)
  const batchSize = o.batchSize ?? 128
  const model = mlp({ inputDim: 3072, hidden: o.hidden ?? [256], numClasses: 10 })
  const base = () => sgd({ lr: 0.01, momentum: 0.9, weightDecay: 5e-4 })
  const methods: Record<"SGD" | "SAM", TrainingMethod<any>> = { SGD: erm(base()), SAM: sam({ rho: o.rho, base: base() }) }
  const common = { images: data.images, normalization: CIFAR10_STATS, seed }
  const training = new Batcher({ ...common, labels, indices: trainIdx, batchSize, shuffle: true })
  const trainEval = new Batcher({ ...common, labels, indices: trainIdx, batchSize: 500, shuffle: false })
  const testEval = new Batcher({ ...common, labels: data.labels, indices: testIdx, batchSize: 500, shuffle: false })
  const state = Object.fromEntries(
    (["SGD", "SAM"] as const).map((k) => {
      const params = model.init(new Rng(seed).fork("init"))
      return [k, { params, state: methods[k].init(params), curve: [] as EpochPoint[] }]
    })
  ) as Record<"SGD" | "SAM", { params: Params; state: unknown; curve: EpochPoint[] }>
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      for (const key of ["SGD", "SAM"] as const) {
        const s = state[key]
        const method = methods[key]
        let step = 0
        for (const batch of training.batches(epoch) as Iterable<CifarBatch>) {
          const r = method.step(s.params, s.state, { x: batch.x, y: batch.y }, (p, x) => model.apply(p, x, { training: true }), ++step)
          disposeParams(s.params, r.modelState)
          method.disposeState(s.state)
          s.params = r.params
          s.state = r.state
          tf.dispose([batch.x, batch.y])
        }
        const test = evaluate(model, s.params, testEval, 0, data.labels)
        const train = evaluate(model, s.params, trainEval, 0, clean, { labels: noise.noisy, isNoisy: noise.isNoisy })
        s.curve.push({ epoch, testAcc: test.acc, cleanTrainAcc: train.acc, noisyFit: train.noisyFit })
        await onEpoch({ SGD: state.SGD.curve, SAM: state.SAM.curve })
      }
    }
    return { SGD: state.SGD.curve, SAM: state.SAM.curve }
  } finally {
    for (const key of ["SGD", "SAM"] as const) {
      disposeParams(state[key].params)
      methods[key].disposeState(state[key].state)
    }
  }
}
