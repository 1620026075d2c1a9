import { type Model, Rng, disposeParams, expectNoLeak, mlp, smallCnn } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { type DecomposeOptions, decompose } from "../src/index.js"
import { gramIsCheaper } from "../src/decomposition/view/per-example.js"
import { expectAllClose, naiveDecomposition } from "./reference.js"

const setup = (model: Model, n: number, seed: number) => {
  const rng = new Rng(seed)
  const params = model.init(rng.fork("init"))
  const size = model.inputShape.reduce((a, b) => a * b, 1)
  const x = tf.tensor(rng.fork("x").normalArray(n * size), [n, ...model.inputShape])
  const labels = Array.from({ length: n }, () => rng.fork("y").int(model.numClasses))
  const ys = rng.fork("labels")
  for (let i = 0; i < n; i++) labels[i] = ys.int(model.numClasses)
  return { params, x, labels }
}

const compare = async (
  model: Model,
  n: number,
  seed: number,
  options: Omit<DecomposeOptions, "perturbation"> & { rho: number; chunkSize: number; adaptive?: boolean },
  engine: "layered" | "loop"
) => {
  const { params, x, labels } = setup(model, n, seed)
  try {
    const got = await expectNoLeak("decompose", () =>
      decompose(model, params, x, labels, { ...options, perturbation: { rho: options.rho, chunkSize: options.chunkSize, adaptive: options.adaptive ?? false } })
    )
    expect(got.engine).toBe(engine)
    const keep = options.layers ? (name: string) => options.layers!.some((l) => name.startsWith(`${l}/`)) : undefined
    const want = naiveDecomposition(model, params, x, labels, {
      rho: options.rho,
      chunkSize: options.chunkSize,
      adaptive: options.adaptive ?? false,
      ...(keep ? { keep } : {})
    })
    expectAllClose(got.gradNorm, want.gradNorm, "gradNorm")
    expectAllClose(got.samGradNorm, want.samGradNorm, "samGradNorm")
    expectAllClose(got.logitOnlyGradNorm, want.logitOnlyGradNorm, "logitOnlyGradNorm")
    expectAllClose(got.jacobianOnlyGradNorm, want.jacobianOnlyGradNorm, "jacobianOnlyGradNorm")
    return got
  } finally {
    disposeParams(params)
    x.dispose()
  }
}

describe("decompose matches a naive per-example loop", () => {
  const tinyMlp = mlp({ inputDim: 7, hidden: [6, 5], numClasses: 4 })
  it("MLP, SAM chunks of 3 (last chunk of 2), sub-batches of 2", async () => {
    await compare(tinyMlp, 8, 1, { rho: 0.5, chunkSize: 3, batchSize: 2 }, "layered")
  })
  it("MLP, 1-SAM (per-example eps, batched)", async () => {
    await compare(tinyMlp, 6, 2, { rho: 0.5, chunkSize: 1 }, "layered")
  })
  it("tanh MLP, one chunk", async () => {
    await compare(mlp({ inputDim: 5, hidden: [4], numClasses: 3, activation: "tanh" }), 5, 3, { rho: 0.8, chunkSize: 5 }, "layered")
  })
  it("tiny CNN, SAM and 1-SAM", async () => {
    const cnn = smallCnn({ numClasses: 3, channels: [2, 3], dense: 5, inputShape: [6, 6, 2] })
    await compare(cnn, 5, 4, { rho: 0.5, chunkSize: 5 }, "layered")
    await compare(cnn, 4, 5, { rho: 0.5, chunkSize: 1, batchSize: 3 }, "layered")
  })
  it("ASAM perturbations, chunks of 3 and of 1", async () => {
    await compare(tinyMlp, 6, 9, { rho: 1, chunkSize: 3, adaptive: true }, "layered")
    await compare(tinyMlp, 3, 10, { rho: 1, chunkSize: 1, adaptive: true }, "layered")
  })
  it("CNN whose convs take the Gram identity for their norms (few positions, long patches)", async () => {
    expect([gramIsCheaper(1024, 27, 32), gramIsCheaper(256, 288, 64), gramIsCheaper(64, 576, 128)]).toEqual([false, false, true])
    const cnn = smallCnn({ numClasses: 3, channels: [16, 16], dense: 6, inputShape: [4, 4, 8] })
    expect([gramIsCheaper(16, 72, 16), gramIsCheaper(4, 144, 16)]).toEqual([true, true])
    await compare(cnn, 5, 13, { rho: 0.5, chunkSize: 5 }, "layered")
    await compare(cnn, 3, 14, { rho: 0.5, chunkSize: 1 }, "layered")
  })
  it("loop engine on the same MLP", async () => {
    await compare(tinyMlp, 5, 6, { rho: 0.5, chunkSize: 2, engine: "loop" }, "loop")
    await compare(tinyMlp, 3, 7, { rho: 0.5, chunkSize: 1, engine: "loop" }, "loop")
  })
  it("is deterministic: the same inputs give bit-identical numbers", () => {
    const cnn = smallCnn({ numClasses: 3, channels: [2], dense: 4, inputShape: [4, 4, 1] })
    const { params, x, labels } = setup(cnn, 4, 12)
    const run = () => decompose(cnn, params, x, labels, { perturbation: { rho: 0.3, chunkSize: 2 } })
    const a = run()
    const b = run()
    for (const q of ["gradNorm", "samGradNorm", "logitOnlyGradNorm", "jacobianOnlyGradNorm"] as const) expect(Array.from(a[q])).toEqual(Array.from(b[q]))
    disposeParams(params)
    x.dispose()
  })
  it("measured layers restricted to the head and dense_1", async () => {
    const got = await compare(tinyMlp, 5, 8, { rho: 0.5, chunkSize: 5, layers: ["dense_1", "head"] }, "layered")
    expect(got.measuredLayers).toEqual(["dense_1", "head"])
  })
})
