import { readFileSync } from "node:fs"
import { Rng, resnet18, selectBackend, stepper, trainingForward } from "@samlab/core-tensor"
import { Batcher, CIFAR10_RECORD, applyLabelNoise, channelStats, decodeCifar10Into } from "@samlab/data-noisy-cifar"
import { type MethodKey, makeMethod } from "@samlab/steps"

/**
 * ResNet-18 on the first `--train-size` examples of one CIFAR-10 batch file with 30% symmetric
 * label noise, SGD then SAM, printing each epoch's wall time (the GPU check's training part).
 * `train-check --file data_batch_1.bin [--train-size 10000] [--epochs 3] [--batch 128] [--width 64] [--methods erm,sam] [--max-seconds 200]`
 * Each method gets an equal share of `--max-seconds`; one that runs out ends within its epoch,
 * and the line says how many steps it timed, so a slow GPU still yields every method's figures.
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
  const methods = opt("methods", "erm,sam").split(",") as MethodKey[]
  const secondsPerMethod = Number(opt("max-seconds", "Infinity")) / methods.length
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
    const started = performance.now()
    const run = stepper({ method, forward: trainingForward(model), params: model.init(new Rng(0).fork("init")), modelState: model.initState() })
    const outOfTime = () => (performance.now() - started) / 1000 > secondsPerMethod
    for (let epoch = 1; epoch <= epochs && !outOfTime(); epoch++) {
      const t0 = performance.now()
      let lossSum = 0
      let steps = 0
      for (const batch of batcher.batches(epoch)) {
        const stop = outOfTime()
        if (!stop) lossSum += run.step(batch).loss
        batch.dispose()
        if (stop) break
        steps++
      }
      const seconds = (performance.now() - t0) / 1000
      const partial = steps < batcher.batchesPerEpoch ? ` (out of time after ${steps} of ${batcher.batchesPerEpoch} steps)` : ""
      process.stdout.write(
        `${key} epoch ${epoch}: ${seconds.toFixed(1)} s, ${((steps * batchSize) / seconds).toFixed(0)} examples/s, mean train loss ${(lossSum / Math.max(steps, 1)).toFixed(4)}${partial}\n`
      )
    }
    run.dispose()
  }
  return 0
}
