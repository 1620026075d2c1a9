/**
 * The training steps the benchmarks time, built from core-tensor's reference models and
 * optimizer so they match what samlab trains: the MLP 3072-512-512-10 and the small CNN
 * (3x3 convs 32/64/128 + ReLU + 2x2 max-pool, dense 2048-256, head 256-10) and the ResNet-8
 * (`resnet({ blocks: [1, 1, 1], width: 16 })`, batch norm), SGD with momentum 0.9 and weight
 * decay 5e-4, and optim-sam's SAM (rho 0.05).
 */
import * as tf from "@tensorflow/tfjs-core"
import { type Model, Rng, erm, referenceMlp, resnet, sgd, smallCnn, stepper, trainingForward } from "@samlab/core-tensor"
import { sam } from "@samlab/optim-sam"

export type ModelName = "mlp" | "cnn" | "resnet8"
export type MethodName = "sgd" | "sam"

export const makeModel = (name: ModelName): Model =>
  name === "mlp" ? referenceMlp(10) : name === "cnn" ? smallCnn({ channels: [32, 64, 128], dense: 256 }) : resnet({ blocks: [1, 1, 1], width: 16 })

/** A fixed random batch: NHWC images for the CNN, flat rows for the MLP. */
export const makeBatch = (model: Model, batch: number, seed = 7): { x: tf.Tensor; y: tf.Tensor1D } => {
  const rng = new Rng(seed)
  const shape = [batch, ...model.inputShape]
  const x = tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape, "float32")
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, () => rng.int(model.numClasses)),
    "int32"
  )
  return { x, y }
}

export interface Trainer {
  /** One step; returns the loss. Owns and replaces its params. */
  step(): number
  dispose(): void
}

export const makeTrainer = (modelName: ModelName, method: MethodName, batchSize: number, seed = 1): Trainer => {
  const model = makeModel(modelName)
  const batch = makeBatch(model, batchSize)
  const opt = sgd({ lr: 0.01, momentum: 0.9, weightDecay: 5e-4 })
  const run = stepper({
    method: method === "sgd" ? erm(opt) : sam({ rho: 0.05, base: opt }),
    forward: trainingForward(model),
    params: model.init(new Rng(seed)),
    modelState: model.initState()
  })
  return {
    step: () => run.step(batch).loss,
    dispose: () => {
      run.dispose()
      tf.dispose([batch.x, batch.y])
    }
  }
}
