import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { type ModelSpec, Rng, disposeOutput, disposeParams, makeModel, perExampleCrossEntropy } from "../../src/index.js"
import { crossEntropyJs, expectAllClose } from "./helpers.js"

describe("per-example softmax cross-entropy on model outputs", () => {
  it("matches hand-computed values: log 3 for equal logits, log(1 + e^-1 + e^-2) for [2, 1, 0] and label 0, stable at 1e3", () => {
    const logits = tf.tensor2d([
      [0, 0, 0],
      [2, 1, 0],
      [1000, 0, -1000]
    ])
    const labels = tf.tensor1d([1, 0, 2], "int32")
    const loss = perExampleCrossEntropy(logits, labels)
    expectAllClose(loss.dataSync(), [Math.log(3), Math.log(1 + Math.exp(-1) + Math.exp(-2)), 2000], 1e-6, 1e-6)
    tf.dispose([logits, labels, loss])
  })

  const cases: ReadonlyArray<[ModelSpec, readonly number[]]> = [
    [{ kind: "linear" }, [2, 2, 3]],
    [{ kind: "two-layer-linear", hidden: 4 }, [12]],
    [{ kind: "mlp", hidden: [6, 5] }, [2, 2, 3]],
    [{ kind: "cnn", channels: [2, 3], dense: 4 }, [8, 8, 3]],
    [{ kind: "resnet18", width: 2 }, [8, 8, 3]]
  ]

  it("gives one value per example, equal to logsumexp(z) - z[y] computed in JS from each model's logits", () => {
    const numClasses = 4
    for (const [spec, inputShape] of cases) {
      const model = makeModel(spec, { inputShape, numClasses })
      const rng = new Rng(8)
      const params = model.init(rng.fork("init"))
      const state = model.initState()
      const batch = 5
      const x = tf.tensor(rng.fork("x").normalArray(batch * inputShape.reduce((a, b) => a * b, 1)), [batch, ...inputShape])
      const ys = [0, 3, 1, 2, 3]
      const y = tf.tensor1d(ys, "int32")
      const out = model.apply(params, x, { training: false, state })
      expect(out.logits.shape, spec.kind).toEqual([batch, numClasses])
      const loss = perExampleCrossEntropy(out.logits, y)
      expect(loss.shape).toEqual([batch])
      const z = out.logits.arraySync() as number[][]
      expectAllClose(
        loss.dataSync(),
        z.map((row, i) => crossEntropyJs(row, ys[i]!)),
        1e-6,
        1e-5
      )
      tf.dispose([x, y, loss])
      disposeOutput(out, state)
      disposeParams(params, state)
    }
  })
})
