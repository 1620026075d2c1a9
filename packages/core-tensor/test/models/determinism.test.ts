import * as tf from "@tensorflow/tfjs-core"
import { afterAll, describe, expect, it } from "vitest"
import { type ModelSpec, Rng, disposeOutput, disposeParams, linear, makeModel, mlp, selectBackend, smallCnn, snapshotParams } from "../../src/index.js"

afterAll(async () => {
  await selectBackend({ backend: "cpu", log: () => {} })
})

const specs: ReadonlyArray<[ModelSpec, readonly number[]]> = [
  [{ kind: "linear" }, [12]],
  [{ kind: "two-layer-linear", hidden: 5 }, [12]],
  [{ kind: "mlp", hidden: [6, 5], activation: "tanh" }, [2, 2, 3]],
  [{ kind: "cnn", channels: [2, 3], dense: 4 }, [8, 8, 3]],
  [{ kind: "resnet18", width: 2 }, [8, 8, 3]]
]

const values = (spec: ModelSpec, inputShape: readonly number[], seed: number) => {
  const p = makeModel(spec, { inputShape, numClasses: 3 }).init(new Rng(seed))
  const snap = snapshotParams(p)
  disposeParams(p)
  return snap
}

describe("initialisation", () => {
  it("same seed, identical params; another seed, different random params (every kind)", () => {
    for (const [spec, inputShape] of specs) {
      const a = values(spec, inputShape, 42)
      const b = values(spec, inputShape, 42)
      const c = values(spec, inputShape, 43)
      expect(b).toEqual(a)
      a.names.forEach((name, i) => {
        // Batch-norm gammas and betas are constants (1, 0); everything else is drawn.
        if (name.endsWith("/gamma") || name.endsWith("/beta")) expect(c.values[i]).toEqual(a.values[i])
        else expect(c.values[i], `${spec.kind} ${name}`).not.toEqual(a.values[i])
      })
    }
  })

  it("draws each parameter from a stream forked by its name, so values do not depend on draw order", () => {
    const seed = 9
    const a = mlp({ inputDim: 4, hidden: [3], numClasses: 2 }).init(new Rng(seed))
    const b = mlp({ inputDim: 4, hidden: [3, 7, 5], numClasses: 2 }).init(new Rng(seed))
    expect(b["dense_0/kernel"]!.dataSync()).toEqual(a["dense_0/kernel"]!.dataSync())
    expect(b["dense_0/bias"]!.dataSync()).toEqual(a["dense_0/bias"]!.dataSync())
    // A linear model's head and an MLP without hidden layers are the same draw.
    const l = linear({ inputDim: 4, numClasses: 2 }).init(new Rng(seed))
    const m = mlp({ inputDim: 4, hidden: [], numClasses: 2 }).init(new Rng(seed))
    expect(snapshotParams(l)).toEqual(snapshotParams(m))
    // The first kernel entry is the first draw of rng.fork("dense_0/kernel") mapped to [-1/2, 1/2) (fan_in 4).
    expect(a["dense_0/kernel"]!.dataSync()[0]).toBe(Math.fround(-0.5 + new Rng(seed).fork("dense_0/kernel").uniform()))
    disposeParams(a, b, l, m)
  })

  it("follows PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in features or k * k * in channels", () => {
    const cnn = smallCnn({ channels: [16, 32], dense: 64, inputShape: [16, 16, 3] })
    const p = cnn.init(new Rng(1))
    const cases: Array<[string, number]> = [
      ["conv_0/kernel", 3 * 3 * 3],
      ["conv_0/bias", 3 * 3 * 3],
      ["conv_1/kernel", 3 * 3 * 16],
      ["dense_0/kernel", 4 * 4 * 32],
      ["head/kernel", 64]
    ]
    for (const [name, fanIn] of cases) {
      const v = p[name]!.dataSync()
      const bound = 1 / Math.sqrt(fanIn)
      let sum = 0
      let sq = 0
      let max = 0
      for (const x of v) {
        sum += x
        sq += x * x
        max = Math.max(max, Math.abs(x))
      }
      expect(max, name).toBeLessThanOrEqual(Math.fround(bound))
      if (v.length >= 1000) {
        // Uniform on [-b, b]: mean 0 (sd b / sqrt(3 n)), variance b^2 / 3.
        expect(Math.abs(sum / v.length), name).toBeLessThan((4 * bound) / Math.sqrt(3 * v.length))
        expect(sq / v.length / ((bound * bound) / 3), name).toBeCloseTo(1, 1)
      }
    }
    disposeParams(p)
  })

  it("gives the same numbers on the wasm backend as on cpu, and the same logits up to float rounding", async () => {
    const model = makeModel({ kind: "cnn", channels: [2, 3], dense: 4 }, { inputShape: [8, 8, 3], numClasses: 3 })
    const x = new Rng(2).normalArray(2 * 8 * 8 * 3)
    const run = () => {
      const p = model.init(new Rng(5))
      const input = tf.tensor4d(x, [2, 8, 8, 3])
      const out = model.apply(p, input, { training: false })
      const result = { params: snapshotParams(p), logits: Array.from(out.logits.dataSync()) }
      disposeOutput(out)
      disposeParams(p)
      input.dispose()
      return result
    }
    const onCpu = run()
    await selectBackend({ backend: "wasm", log: () => {} })
    const onWasm = run()
    await selectBackend({ backend: "cpu", log: () => {} })
    expect(onWasm.params).toEqual(onCpu.params)
    onWasm.logits.forEach((v, i) => expect(v).toBeCloseTo(onCpu.logits[i]!, 5))
  })
})
