import { existsSync, mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Rng } from "@samlab/core-tensor"
import { SAMOptimizer } from "@samlab/optim-sam"
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { describe, expect, it } from "vitest"
import { fileIO } from "../src/index.js"

const data = () => {
  const rng = new Rng(4)
  const xs = tf.tensor2d(rng.normalArray(48 * 6), [48, 6])
  const ys = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 48 }, (_, i) => i % 3),
      "int32"
    ),
    3
  )
  return { xs, ys }
}

const values = (ts: readonly tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()))

describe("fileIO: a trained model and its optimizer state to disk and back, without tfjs-node", () => {
  it("a SAM-trained model reloads with the same weights and optimizer state, and trains on exactly as the original would", async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [6], units: 8, activation: "relu" }), tfl.layers.dense({ units: 3, activation: "softmax" })]
    })
    const rng = new Rng(1)
    model.setWeights(model.getWeights().map((w) => tf.tensor(rng.normalArray(w.size, 0, 0.4), w.shape)))
    model.compile({ optimizer: new SAMOptimizer({ base: tf.train.adam(0.01), rho: 0.05 }), loss: "categoricalCrossentropy" })
    const { xs, ys } = data()
    await model.fit(xs, ys, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 })

    const dir = join(mkdtempSync(join(tmpdir(), "samlab-fileio-")), "model")
    await model.save(fileIO(dir), { includeOptimizer: true })
    expect(readdirSync(dir).sort()).toEqual(["model.json", "weights.bin"])
    expect(await model.save("file://" + dir).catch((e: Error) => e.message)).toMatch(/Cannot find any save handlers/) // what fileIO replaces

    const loaded = await tfl.loadLayersModel(fileIO(dir))
    expect(values(loaded.getWeights())).toEqual(values(model.getWeights()))
    expect(loaded.optimizer).toBeInstanceOf(SAMOptimizer)
    const savedState = values((await model.optimizer.getWeights()).map((w) => w.tensor))
    expect(savedState.length).toBeGreaterThan(1) // Adam's iterations and moments
    expect(values((await loaded.optimizer.getWeights()).map((w) => w.tensor))).toEqual(savedState)

    // one more epoch on both: equal only if the optimizer state (Adam's moments) came back
    await model.fit(xs, ys, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 })
    await loaded.fit(xs, ys, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 })
    expect(values(loaded.getWeights())).toEqual(values(model.getWeights()))
    expect(existsSync(join(dir, "model.json"))).toBe(true)
  })
})
