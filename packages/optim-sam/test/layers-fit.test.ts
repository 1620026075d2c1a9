import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { describe, expect, it } from "vitest"
import { type ForwardFn, Rng, disposeParams, sgd } from "@samlab/core-tensor"
import { SAMOptimizer, samFamily } from "../src/index.js"

const inputDim = 5
const classes = 3
const batch = 8

/** Per-example softmax cross-entropy on logits, as a tfjs-layers loss. */
const perExampleCE = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred, undefined, undefined, tf.Reduction.NONE)

/** dense -> batch norm -> relu -> dense, with seeded weights (tfjs-layers initialisers are not seeded). */
const bnModel = (optimizer: tf.Optimizer, seed = 3, metrics?: string[]) => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [inputDim], units: 6 }),
      tfl.layers.batchNormalization({ momentum: 0.9 }),
      tfl.layers.activation({ activation: "relu" }),
      tfl.layers.dense({ units: classes })
    ]
  })
  const rng = new Rng(seed)
  model.setWeights(model.getWeights().map((w) => tf.tidy(() => (w.shape.length === 2 ? tf.tensor(rng.normalArray(w.size, 0, 0.5), w.shape) : tf.clone(w)))))
  model.compile({ optimizer, loss: perExampleCE, metrics })
  return model
}

const data = (seed = 4, n = 2 * batch) => {
  const rng = new Rng(seed)
  const x = tf.tensor2d(rng.normalArray(n * inputDim), [n, inputDim])
  const labels = Int32Array.from({ length: n }, () => rng.int(classes))
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), classes, 1, 0, "float32"))
  return { x, y, labels }
}

const weightsOf = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()))

describe("SAMOptimizer inside tfjs-layers model.fit", () => {
  it("reduces the loss of a Sequential model with BatchNormalization", async () => {
    const model = bnModel(new SAMOptimizer({ base: tf.train.momentum(0.1, 0.9), rho: 0.05 }))
    const { x, y } = data()
    const history = await model.fit(x, y, { batchSize: batch, epochs: 15, shuffle: false, verbose: 0 })
    const loss = history.history["loss"] as number[]
    expect(loss[loss.length - 1]!).toBeLessThan(0.6 * loss[0]!)
    model.dispose()
    tf.dispose([x, y])
  })

  it("with rho = 0: the base optimizer's weights AND moving statistics, step for step (stats move once per step)", async () => {
    const { x, y } = data()
    const plain = bnModel(tf.train.momentum(0.1, 0.9))
    const sam0 = bnModel(new SAMOptimizer({ base: tf.train.momentum(0.1, 0.9), rho: 0 }))
    await plain.fit(x, y, { batchSize: batch, epochs: 3, shuffle: false, verbose: 0 })
    await sam0.fit(x, y, { batchSize: batch, epochs: 3, shuffle: false, verbose: 0 })
    // getWeights includes the BN moving mean and variance; a second update per step would show
    expect(weightsOf(sam0)).toEqual(weightsOf(plain))
    plain.dispose()
    sam0.dispose()
    tf.dispose([x, y])
  })

  it("with rho > 0: after one step the moving statistics are those of the one unperturbed pass", async () => {
    const { x, y } = data(5, batch)
    const plain = bnModel(tf.train.sgd(0.1))
    const samModel = bnModel(new SAMOptimizer({ base: tf.train.sgd(0.1), rho: 0.5 }))
    await plain.fit(x, y, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 })
    await samModel.fit(x, y, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 })
    const stats = (m: tfl.LayersModel) =>
      m.layers[1]!.getWeights()
        .slice(2)
        .map((w) => Array.from(w.dataSync()))
    expect(stats(samModel)).toEqual(stats(plain))
    // ... while the weights differ (the perturbation did something)
    expect(weightsOf(samModel)[0]).not.toEqual(weightsOf(plain)[0])
    plain.dispose()
    samModel.dispose()
    tf.dispose([x, y])
  })

  it("leaks no tensors across fits, metrics included, and trainOnBatch still reads every output", async () => {
    const model = bnModel(new SAMOptimizer({ base: tf.train.momentum(0.1, 0.9), rho: 0.05 }), 3, ["accuracy"])
    const { x, y } = data()
    await model.fit(x, y, { batchSize: batch, epochs: 1, verbose: 0 })
    const before = tf.memory().numTensors
    await model.fit(x, y, { batchSize: batch, epochs: 3, verbose: 0 })
    expect(tf.memory().numTensors).toBe(before)
    const out = await model.trainOnBatch(x, y)
    expect((out as number[]).every((v) => Number.isFinite(v))).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
    tf.dispose([x, y])
  })

  it("m-sharpness through chunkedLoss matches the functional m-SAM step", async () => {
    const { x, y, labels } = data(6, batch)
    const opt = new SAMOptimizer({ base: tf.train.sgd(0.1), rho: 0.3, chunkSize: 2 })
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [inputDim], units: 4, activation: "tanh" }), tfl.layers.dense({ units: classes })] })
    const rng = new Rng(7)
    model.setWeights(model.getWeights().map((w) => tf.tidy(() => tf.tensor(rng.normalArray(w.size, 0, 0.5), w.shape))))
    const initial = model.getWeights().map((w) => tf.clone(w))
    model.compile({ optimizer: opt, loss: opt.chunkedLoss(perExampleCE) })
    await model.fit(x, y, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 })

    const params = { "dense_0/kernel": initial[0]!, "dense_0/bias": initial[1]!, "head/kernel": initial[2]!, "head/bias": initial[3]! }
    const forward: ForwardFn = (p, xx) => ({
      logits: tf.add<tf.Tensor2D>(
        tf.matMul(
          tf.tanh(tf.add<tf.Tensor2D>(tf.matMul(xx as tf.Tensor2D, p["dense_0/kernel"] as tf.Tensor2D), p["dense_0/bias"]!)),
          p["head/kernel"] as tf.Tensor2D
        ),
        p["head/bias"]!
      )
    })
    const method = samFamily({ rho: 0.3, chunkSize: 2, base: sgd({ lr: 0.1 }) })
    const yInt = tf.tensor1d(labels, "int32")
    const r = method.step(params, method.init(params), { x, y: yInt }, forward, 0)
    const want = Object.values(r.params).map((t) => t.dataSync())
    model.getWeights().forEach((w, i) => w.dataSync().forEach((v, k) => expect(v).toBeCloseTo(want[i]![k]!, 5)))
    disposeParams(r.params, params)
    model.dispose()
    tf.dispose([x, y, yInt])
  })
})

describe("SAMOptimizer serialisation", () => {
  it("getConfig / fromConfig round trip, through the registered class name", () => {
    const opt = new SAMOptimizer({ base: tf.train.momentum(0.02, 0.8, true), rho: 0.1, adaptive: true, chunkSize: 4, weightDecay: 5e-4 })
    const config = JSON.parse(JSON.stringify(opt.getConfig()))
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap["SAMOptimizer"]!
    const copy = fromConfig(cls, config) as SAMOptimizer
    expect(copy).toBeInstanceOf(SAMOptimizer)
    expect([copy.rho, copy.adaptive, copy.chunkSize, copy.weightDecay]).toEqual([0.1, true, 4, 5e-4])
    expect(copy.base.getConfig()).toEqual({ learningRate: 0.02, momentum: 0.8, useNesterov: true })
    expect(copy.getConfig()).toEqual(config)
    expect(() => SAMOptimizer.fromConfig(SAMOptimizer, { ...config, base: { className: "Nope", config: {} } })).toThrow(/"Nope" is not a registered optimizer/)
    opt.dispose()
    copy.dispose()
  })
})
