import { type TrainingMethod, erm, sgd } from "@samlab/core-tensor"
import { type GoldenFixture, closeToGolden, goldenFixtures } from "@samlab/golden"
import { jacobianRegularized } from "@samlab/optim-jacobian-reg"
import { samFamily } from "@samlab/optim-sam"
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { describe, expect, it } from "vitest"
import { adaptLayersModel, fitWithMethod } from "../src/index.js"

/** The fixture's MLP as an unchanged tfjs-layers Sequential model with the fixture's weights. */
const layersModel = (f: GoldenFixture): tfl.LayersModel => {
  const layers = f.model.layers
  const model = tfl.sequential({
    layers: layers.map((l, i) =>
      tfl.layers.dense({
        ...(i === 0 ? { inputShape: [l.W.length] } : {}),
        units: l.b.length,
        activation: i === layers.length - 1 ? "linear" : f.model.activation
      })
    )
  })
  model.setWeights(layers.flatMap((l) => [tf.tensor2d(l.W), tf.tensor1d(l.b)]))
  return model
}

/** The fixture's method from the library's own constructors (whole-batch or chunked SAM family, ERM, the regularizer). */
const methodFor = (f: GoldenFixture, headWeight: string): TrainingMethod<any> | undefined => {
  const o = f.optimizer
  const base = sgd({ lr: o.base.lr, momentum: o.base.momentum, weightDecay: o.base.weightDecay })
  switch (o.method) {
    case "sgd":
      return erm(base)
    case "sam":
    case "asam":
    case "lsam":
    case "jsam":
      return samFamily({
        base,
        rho: o.rho!,
        ...(o.chunkSize !== undefined ? { chunkSize: o.chunkSize } : {}),
        ...(o.method === "asam" ? { adaptive: true } : o.method === "sam" ? {} : { variant: o.method })
      })
    case "jacreg":
      return jacobianRegularized({ base, lambdaFeatures: o.lambdaFeatures!, lambdaHead: o.lambdaHead!, headWeight })
    default:
      return undefined
  }
}

describe("every golden trajectory, trained through a tfjs-layers model", () => {
  const fixtures = goldenFixtures(["sgd", "sam", "asam", "lsam", "jsam", "jacreg"])

  it("finds the fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20)
  })

  for (const f of fixtures) {
    it(`${f.name}: losses and weights after every step within 1e-4 of float64 PyTorch`, async () => {
      const model = layersModel(f)
      const method = methodFor(f, adaptLayersModel(model).headWeight!)!
      const x = tf.tensor2d(f.data.x)
      const y = tf.tensor1d(f.data.y, "int32")
      const weightsAfter: number[][][] = []
      const losses: number[] = []
      await fitWithMethod(model, method, x, y, {
        epochs: f.steps,
        batchSize: f.data.x.length,
        shuffle: false,
        callbacks: {
          onBatchEnd: (_b, logs) => {
            losses.push(logs["loss"]!)
            weightsAfter.push(model.getWeights().map((w) => Array.from(w.dataSync())))
          }
        }
      })
      losses.forEach((l, i) =>
        expect(closeToGolden(l, f.expected.lossBeforeEachStep[i]!), `loss before step ${i + 1}: ${l} vs ${f.expected.lossBeforeEachStep[i]}`).toBe(true)
      )
      weightsAfter.forEach((weights, step) => {
        const want = f.expected.layersAfterEachStep[step]!.flatMap((l) => [l.W.flat(), l.b])
        weights.forEach((w, j) =>
          w.forEach((v, k) => expect(closeToGolden(v, want[j]![k]!), `step ${step + 1} weight ${j}[${k}]: ${v} vs ${want[j]![k]}`).toBe(true))
        )
      })
      model.dispose()
      tf.dispose([x, y])
    })
  }
})
