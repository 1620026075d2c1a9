import { describe, expect, it } from "vitest"
import { ModelSpecError, Rng, disposeParams, makeModel, parseModelSpec } from "../../src/index.js"

const errorOf = (f: () => unknown): ModelSpecError => {
  try {
    f()
  } catch (e) {
    if (e instanceof ModelSpecError) return e
    throw e
  }
  throw new Error("expected a ModelSpecError")
}

describe("ModelSpec and makeModel", () => {
  it("builds every kind from plain JSON, flattening flat models' input shapes", () => {
    const json = JSON.stringify([
      { kind: "linear" },
      { kind: "two-layer-linear", hidden: 7 },
      { kind: "mlp", hidden: [9, 8], activation: "tanh" },
      { kind: "cnn" },
      { kind: "resnet18", width: 4 }
    ])
    const built = (JSON.parse(json) as unknown[]).map((s) => makeModel(parseModelSpec(s), { inputShape: [32, 32, 3], numClasses: 10 }))
    expect(built.map((m) => m.inputShape)).toEqual([[3072], [3072], [3072], [32, 32, 3], [32, 32, 3]])
    expect(built.map((m) => m.featureDim)).toEqual([3072, 7, 8, 256, 32])
    expect(built.map((m) => m.headBias)).toEqual(["head/bias", undefined, "head/bias", "head/bias", "head/bias"])
    const mlpParams = built[2]!.init(new Rng(0))
    expect(Object.keys(mlpParams)).toEqual(["dense_0/kernel", "dense_0/bias", "dense_1/kernel", "dense_1/bias", "head/kernel", "head/bias"])
    disposeParams(mlpParams)
  })

  it("takes the cnn's channels and dense width from the spec", () => {
    const m = makeModel({ kind: "cnn", channels: [8, 16], dense: 32 }, { inputShape: [16, 16, 3], numClasses: 5 })
    const p = m.init(new Rng(1))
    expect(p["conv_1/kernel"]!.shape).toEqual([3, 3, 8, 16])
    expect(p["dense_0/kernel"]!.shape).toEqual([4 * 4 * 16, 32])
    expect(p["head/kernel"]!.shape).toEqual([32, 5])
    disposeParams(p)
  })

  it("names the bad field", () => {
    const cases: Array<[unknown, string]> = [
      [null, "spec"],
      [{ kind: "transformer" }, "spec.kind"],
      [{ kind: "mlp" }, "spec.hidden"],
      [{ kind: "mlp", hidden: [4, 0] }, "spec.hidden[1]"],
      [{ kind: "mlp", hidden: [4], activation: "gelu" }, "spec.activation"],
      [{ kind: "two-layer-linear", hidden: "8" }, "spec.hidden"],
      [{ kind: "two-layer-linear", hidden: 8, bias: "no" }, "spec.bias"],
      [{ kind: "cnn", channels: [] }, "spec.channels"],
      [{ kind: "cnn", dense: -1 }, "spec.dense"],
      [{ kind: "resnet18", width: 1.5 }, "spec.width"],
      [{ kind: "resnet18", depth: 34 }, "spec.depth"]
    ]
    for (const [spec, field] of cases) {
      const e = errorOf(() => parseModelSpec(spec))
      expect(e.field, JSON.stringify(spec)).toBe(field)
      expect(e._tag).toBe("ModelSpecError")
      expect(e.message.startsWith(`${field}: `)).toBe(true)
    }
    expect(errorOf(() => makeModel({ kind: "cnn" }, { inputShape: [3072], numClasses: 10 })).field).toBe("inputShape")
    expect(errorOf(() => makeModel({ kind: "linear" }, { inputShape: [3072], numClasses: 0 })).field).toBe("numClasses")
    expect(errorOf(() => makeModel({ kind: "linear" }, { inputShape: [32, -1], numClasses: 2 })).field).toBe("inputShape[1]")
    expect(errorOf(() => makeModel({ kind: "cnn", channels: [4, 4, 4, 4] }, { inputShape: [8, 8, 3], numClasses: 2 })).field).toBe("smallCnn.inputShape")
  })
})
