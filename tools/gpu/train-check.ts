import { readFileSync } from "node:fs"
import { Rng, resnet18, selectBackend, stepper, trainingForward } from "@samlab/core-tensor"
import { Batcher, CIFAR10_RECORD, applyLabelNoise, channelStats, decodeCifar10Into } from "@samlab/data-noisy-cifar"
import { type MethodKey, makeMethod } from "@samlab/steps"

/**
 * ResNet-18 on the first `--train-size` examples of one CIFAR-10 batch file with 30% symmetric
 * label noise, SGD then SAM, printing each epoch's wall time (the GPU check's training part).
 * `train-check --file data_batch_1.bin [--train-size 10000] [--epochs 3] [--batch 128] [--width 64] [--methods sgd,sam]`
 */
export const trainCheck = async (argv: readonly string[]): Promise<number> => {
  const opt = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
  }
  const file = opt("file", "data_batch_1.bin")
  const trainSize = Number(opt("train-size", "10000"))
  const epochs = Number(opt("epochs", "3"))
  const batchSize = Number(opt("batch", "128"))
  const width = Number(opt("width", "64"))
  const methods = opt("methods", "sgd,sam").split(",") as MethodKey[]
  const info = await selectBackend()
  const bytes = new Uint8Array(readFileSync(file))
  const n = Math.min(trainSize, bytes.length / CIFAR10_RECORD.bytes)
  const data = { images: new Uint8Array(n * 3072), labels: new Uint8Array(n) }
  decodeCifar10Into(file, bytes.subarray(0, n * CIFAR10_RECORD.bytes), data, 0)
  const noisy = applyLabelNoise(data.labels, { numClasses: 10, spec: { kind: "symmetric", rate: 0.3 }, rng: 0 })
  const model = resnet18({ width })
  process.stdout.write(
    `train-check: ResNet-18 (width ${width}) on ${n} CIFAR-10 examples, 30% symmetric noise, batch ${batchSize}, ${epochs} epochs, backend ${info.name}${info.adapter ? ` on ${info.adapter.description || info.adapter.device}` : ""}\n`
  )
  for (const key of methods) {
    const batcher = new Batcher({
      images: data.images,
      labels: noisy.noisy,
      batchSize,
      normalization: channelStats(data.images),
      augment: true,
      dropLast: true,
      seed: 0
    })
    const method = makeMethod(
      key,
      { rho: 0.05, chunkSize: 0, lambdaFeatures: 0, lambdaHead: 0, alpha: 0.5, featureWeighting: "uniform" },
      { kind: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 5e-4, schedule: "constant" },
      epochs * batcher.batchesPerEpoch
    )
    const run = stepper({ method, forward: trainingForward(model), params: model.init(new Rng(0).fork("init")), modelState: model.initState() })
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now()
      let lossSum = 0
      for (const batch of batcher.batches(epoch)) {
        lossSum += run.step(batch).loss
        batch.dispose()
      }
      const seconds = (performance.now() - t0) / 1000
      process.stdout.write(
        `${key} epoch ${epoch}: ${seconds.toFixed(1)} s, ${((batcher.batchesPerEpoch * batchSize) / seconds).toFixed(0)} examples/s, mean train loss ${(lossSum / batcher.batchesPerEpoch).toFixed(4)}\n`
      )
    }
    run.dispose()
  }
  return 0
}
