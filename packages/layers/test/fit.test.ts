import { type Params, Rng, type TrainingMethod, disposeParams, erm, mlp, sgd } from "@samlab/core-tensor"
import { jacobianRegularized } from "@samlab/optim-jacobian-reg"
import { SAMOptimizer, samFamily } from "@samlab/optim-sam"
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { describe, expect, it } from "vitest"
import { LayersAdapterError, adaptLayersModel, fitWithMethod } from "../src/index.js"

const inputDim = 6
const hidden = 5
const classes = 3

/** Seeded weights (tfjs-layers initialisers are not seeded): normal kernels, small biases. */
const seedWeights = (model: tfl.LayersModel, seed: number) => {
  const rng = new Rng(seed)
  model.setWeights(
    model
      .getWeights()
      .map((w) =>
        tf.tidy(() => (w.shape.length === 2 ? tf.tensor(rng.normalArray(w.size, 0, 0.5), w.shape) : tf.tensor(rng.normalArray(w.size, 0, 0.1), w.shape)))
      )
  )
}

/** dense(relu) -> dense, optionally ending in softmax, optionally with batch norm after the first layer. */
const denseModel = (o: { softmax?: "activation" | "layer"; batchNorm?: boolean; seed?: number } = {}) => {
  const layers: tfl.layers.Layer[] = [tfl.layers.dense({ inputShape: [inputDim], units: hidden, activation: o.batchNorm ? "linear" : "relu" })]
  if (o.batchNorm) layers.push(tfl.layers.batchNormalization({ momentum: 0.9 }), tfl.layers.activation({ activation: "relu" }))
  layers.push(tfl.layers.dense({ units: classes, activation: o.softmax === "activation" ? "softmax" : "linear" }))
  if (o.softmax === "layer") layers.push(tfl.layers.softmax())
  const model = tfl.sequential({ layers })
  seedWeights(model, o.seed ?? 3)
  return model
}

const data = (n: number, seed = 4) => {
  const rng = new Rng(seed)
  const x = tf.tensor2d(rng.normalArray(n * inputDim), [n, inputDim])
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, () => rng.int(classes)),
    "int32"
  )
  return { x, labels, oneHot: tf.tidy(() => tf.cast(tf.oneHot(labels, classes), "float32")) }
}

const weightsOf = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()))

const expectClose = (a: number[][], b: number[][], tol = 1e-5) => {
  expect(a.length).toBe(b.length)
  a.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - b[i]![j]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]![j]!)))))
}

const categoricalCE = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred)

describe("fitWithMethod against tfjs-layers' own model.fit", () => {
  it("plain SGD with momentum gives model.fit's weights (same batches, no shuffle)", async () => {
    const { x, labels, oneHot } = data(16)
    const reference = denseModel()
    reference.compile({ optimizer: tf.train.momentum(0.1, 0.9), loss: categoricalCE })
    await reference.fit(x, oneHot, { batchSize: 4, epochs: 2, shuffle: false, verbose: 0 })
    const model = denseModel()
    const history = await fitWithMethod(model, erm(sgd({ lr: 0.1, momentum: 0.9 })), x, labels, { epochs: 2, batchSize: 4, shuffle: false })
    expectClose(weightsOf(model), weightsOf(reference))
    expect(history.epoch).toEqual([0, 1])
    expect(history.history["loss"]![1]!).toBeLessThan(history.history["loss"]![0]!)
    tf.dispose([x, labels, oneHot])
  })

  it("SAM gives the drop-in SAMOptimizer's weights and batch-norm statistics (statistics move once per step)", async () => {
    const { x, labels, oneHot } = data(16)
    const reference = denseModel({ batchNorm: true })
    reference.compile({ optimizer: new SAMOptimizer({ base: tf.train.momentum(0.05, 0.9), rho: 0.1 }), loss: categoricalCE })
    await reference.fit(x, oneHot, { batchSize: 8, epochs: 3, shuffle: false, verbose: 0 })
    const model = denseModel({ batchNorm: true })
    await fitWithMethod(model, samFamily({ base: sgd({ lr: 0.05, momentum: 0.9 }), rho: 0.1 }), x, oneHot, { epochs: 3, batchSize: 8, shuffle: false })
    expectClose(weightsOf(model), weightsOf(reference), 2e-5)
    tf.dispose([x, labels, oneHot])
  })
})

/** The layers model's weights as core-tensor `mlp` params (`dense_0/kernel`, ..., `head/bias`). */
const asMlpParams = (model: tfl.LayersModel): Params => {
  const [w0, b0, w1, b1] = model.getWeights()
  return { "dense_0/kernel": tf.clone(w0!), "dense_0/bias": tf.clone(b0!), "head/kernel": tf.clone(w1!), "head/bias": tf.clone(b1!) }
}

/** Steps a method on samlab's own mlp: the independent implementation the adapter must agree with. */
const stepOnMlp = (method: TrainingMethod<any>, start: Params, x: tf.Tensor, y: tf.Tensor1D, steps: number): number[][] => {
  const model = mlp({ inputDim, hidden: [hidden], numClasses: classes })
  let params = start
  let state = method.init(params)
  for (let s = 1; s <= steps; s++) {
    const r = method.step(params, state, { x, y }, (p, input) => model.apply(p, input, { training: true }), s)
    disposeParams(params, r.modelState)
    method.disposeState(state)
    params = r.params
    state = r.state
  }
  const out = Object.values(params).map((t) => Array.from(t.dataSync()))
  disposeParams(params)
  method.disposeState(state)
  return out
}

describe("every method on a tfjs-layers model equals the same method on samlab's own model", () => {
  const base = () => sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })
  const cases: Array<[string, (headWeight: string) => TrainingMethod<any>]> = [
    ["SAM", () => samFamily({ base: base(), rho: 0.2 })],
    ["1-SAM", () => samFamily({ base: base(), rho: 0.2, chunkSize: 1 })],
    ["L-SAM", () => samFamily({ base: base(), rho: 0.2, variant: "lsam" })],
    ["J-SAM", () => samFamily({ base: base(), rho: 0.2, variant: "jsam" })],
    ["ASAM", () => samFamily({ base: base(), rho: 0.2, adaptive: true })],
    ["the Jacobian regularizer", (headWeight) => jacobianRegularized({ base: base(), lambdaFeatures: 0.05, lambdaHead: 0.05, headWeight })]
  ]
  for (const softmax of [undefined, "activation", "layer"] as const) {
    for (const [name, make] of cases) {
      it(`${name}${softmax ? ` (model ending in a softmax ${softmax})` : ""}`, async () => {
        const { x, labels, oneHot } = data(8)
        const model = denseModel({ softmax })
        const expected = stepOnMlp(make("head/kernel"), asMlpParams(model), x, labels, 3)
        const adapter = adaptLayersModel(model)
        await fitWithMethod(model, make(adapter.headWeight!), x, labels, { epochs: 3, batchSize: 8, shuffle: false })
        expectClose(weightsOf(model), expected)
        tf.dispose([x, labels, oneHot])
      })
    }
  }
})

describe("adapter and loop", () => {
  it("finds the head and gives logits, not probabilities", () => {
    const model = denseModel({ softmax: "activation" })
    const adapter = adaptLayersModel(model)
    expect(adapter.headWeight).toBe(model.layers[1]!.weights[0]!.name)
    const { x, labels, oneHot } = data(4)
    const logits = adapter.logits(x)
    const probs = model.predict(x) as tf.Tensor
    expectClose([Array.from(tf.softmax(logits).dataSync())], [Array.from(probs.dataSync())])
    expect(model.layers[1]!.getConfig()["activation"]).toBe("softmax") // the model itself is unchanged
    tf.dispose([x, labels, oneHot, logits, probs])
  })

  it("keeps the tensor count flat over epochs and reports validation numbers", async () => {
    const { x, labels, oneHot } = data(20)
    const model = denseModel({ batchNorm: true })
    const method = samFamily({ base: sgd({ lr: 0.05, momentum: 0.9 }), rho: 0.1, variant: "jsam" })
    const counts: number[] = []
    const history = await fitWithMethod(model, method, x, labels, {
      epochs: 4,
      batchSize: 6,
      seed: 1,
      validationData: [x, oneHot],
      callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) }
    })
    expect(new Set(counts).size).toBe(1)
    expect(history.history["val_acc"]).toHaveLength(4)
    expect(history.history["val_loss"]!.every(Number.isFinite)).toBe(true)
    tf.dispose([x, labels, oneHot])
  })

  it("trains on the last, smaller batch and stops between steps when aborted", async () => {
    const { x, labels, oneHot } = data(10)
    const controller = new AbortController()
    const seen: number[] = []
    await fitWithMethod(denseModel(), erm(sgd({ lr: 0.1 })), x, labels, {
      epochs: 3,
      batchSize: 4,
      callbacks: {
        onBatchEnd: (b) => {
          seen.push(b)
          if (seen.length === 4) controller.abort()
        }
      },
      signal: controller.signal
    })
    expect(seen).toEqual([0, 1, 2, 0]) // 10 examples: batches of 4, 4 and 2; then aborted
    tf.dispose([x, labels, oneHot])
  })

  it("trains a conv net with batch norm and dropout (tfjs-examples style) with J-SAM, L-SAM and the regularizer", async () => {
    const rng = new Rng(7)
    const n = 24
    const x = tf.tensor4d(rng.normalArray(n * 8 * 8 * 1), [n, 8, 8, 1])
    const y = tf.tensor1d(
      Int32Array.from({ length: n }, (_, i) => i % classes),
      "int32"
    )
    const convNet = () => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: "relu" }),
          tfl.layers.batchNormalization(),
          tfl.layers.maxPooling2d({ poolSize: 2 }),
          tfl.layers.flatten(),
          tfl.layers.dropout({ rate: 0.1, seed: 5 }), // seeded: the same masks every run, so the threshold below is not a draw
          tfl.layers.dense({ units: classes, activation: "softmax" })
        ]
      })
      seedWeights(model, 9)
      return model
    }
    for (const make of [
      (_h: string) => samFamily({ base: sgd({ lr: 0.05, momentum: 0.9 }), rho: 0.05, variant: "jsam" }),
      () => samFamily({ base: sgd({ lr: 0.05, momentum: 0.9 }), rho: 0.05, variant: "lsam" }),
      (h: string) => jacobianRegularized({ base: sgd({ lr: 0.05, momentum: 0.9 }), lambdaFeatures: 1e-3, lambdaHead: 1e-3, headWeight: h })
    ]) {
      const model = convNet()
      const before = tf.memory().numTensors
      const history = await fitWithMethod(model, make(adaptLayersModel(model).headWeight!), x, y, { epochs: 12, batchSize: 8, seed: 2 })
      const loss = history.history["loss"]!
      expect(loss[loss.length - 1]!).toBeLessThan(0.7 * loss[0]!)
      expect(tf.memory().numTensors).toBe(before)
      model.dispose()
    }
    tf.dispose([x, y])
  })

  it("rejects bad arguments with a typed error naming the field", async () => {
    const { x, labels, oneHot } = data(4)
    const model = denseModel()
    await expect(fitWithMethod(model, erm(sgd({ lr: 0.1 })), x, labels, { epochs: 1, batchSize: 0 })).rejects.toThrow(LayersAdapterError)
    await expect(fitWithMethod(model, erm(sgd({ lr: 0.1 })), x, tf.slice(labels, 0, 3), { epochs: 1, batchSize: 2 })).rejects.toThrow(
      /y has 3 rows for 4 examples/
    )
    const twoOutputs = tfl.model({ inputs: model.inputs, outputs: [model.layers[0]!.output as tfl.SymbolicTensor, model.outputs[0]!] })
    expect(() => adaptLayersModel(twoOutputs)).toThrow(/one input and one output/)
    tf.dispose([x, labels, oneHot])
  })
})
