import * as tf from "@tensorflow/tfjs-core"
import { type Model, type ModelSpec, type Params, Rng, disposeParams, makeModel, trainingKernels } from "@samlab/core-tensor"
import { describe, expect, it } from "vitest"
import { type MethodKey, makeMethod, methodKeys } from "../src/index.js"
import { expectCloseToCpu, hostOn, skipWithReason, webgpuUnavailable } from "../../core-tensor/test/webgpu/on-webgpu.js"

const specs: ReadonlyArray<{ spec: ModelSpec; inputShape: number[] }> = [
  { spec: { kind: "mlp", hidden: [8] }, inputShape: [4, 4, 3] },
  { spec: { kind: "cnn", channels: [2, 4, 4], dense: 8 }, inputShape: [8, 8, 3] },
  { spec: { kind: "resnet18", width: 2 }, inputShape: [16, 16, 3] }
]
const options = { rho: 0.05, chunkSize: 0, lambdaFeatures: 1e-2, lambdaHead: 1e-2, alpha: 0.5, featureWeighting: "logit-term", norm: "squared" } as const
const base = { kind: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 5e-4, schedule: "constant" } as const

/** One step of `key` from fixed params on a fixed batch of 4: the new params, the loss and the new batch-norm state. */
const oneStep = (spec: ModelSpec, model: Model, key: MethodKey, inputShape: number[]): tf.Tensor[] => {
  const rng = new Rng(11)
  const method = makeMethod(key, options, base, 10, { spec, model })
  const params: Params = model.init(rng.fork("init"))
  const state = method.init(params)
  const x = tf.tensor(rng.fork("x").normalArray(4 * inputShape.reduce((a, b) => a * b)), [4, ...inputShape])
  const y = tf.tensor1d([1, 7, 3, 1], "int32")
  const modelState = model.initState()
  const r = method.step(params, state, { x, y }, (p, input) => model.apply(p, input, { training: true, state: modelState }), 1)
  disposeParams(params, modelState)
  method.disposeState(state)
  method.disposeState(r.state)
  return [tf.scalar(r.loss), ...Object.values(r.params), ...Object.values(r.modelState ?? {})]
}

describe("the training kernels core-tensor checks a backend for", () => {
  it("cover every kernel a step of every method runs on every model", async () => {
    const ran = new Set<string>()
    for (const { spec, inputShape } of specs) {
      const model = makeModel(spec, { inputShape, numClasses: 10 })
      for (const key of methodKeys) {
        const profile = await tf.profile(() => tf.dispose(oneStep(spec, model, key, inputShape)))
        for (const k of profile.kernelNames) if (tf.getKernel(k, "cpu") !== undefined) ran.add(k)
      }
    }
    // exactly: a kernel missing here goes unchecked, one too many turns a backend away for nothing
    expect([...ran].sort()).toEqual([...trainingKernels].sort())
  }, 120_000)
})

const unavailable = await webgpuUnavailable()
if (unavailable !== undefined) skipWithReason(unavailable)

describe.skipIf(unavailable !== undefined)("one step of every method on webgpu equals the cpu's (SwiftShader)", () => {
  for (const { spec, inputShape } of specs) {
    // 1-SAM on ResNet-18 normalises each example's last 2x2 map on its own here: too ill-conditioned
    // for two float32 backends to agree to 1e-4 (it does on the MLP and the CNN)
    const keys = methodKeys.filter((k) => !(spec.kind === "resnet18" && k === "sam1"))
    it(`${spec.kind}: loss, params and batch-norm state after one step of ${keys.join(", ")}`, async () => {
      const model = makeModel(spec, { inputShape, numClasses: 10 })
      for (const key of keys) {
        const cpu = await hostOn("cpu", () => oneStep(spec, model, key, inputShape))
        const gpu = await hostOn("webgpu", () => oneStep(spec, model, key, inputShape))
        expectCloseToCpu(gpu, cpu, `${spec.kind} ${key}`)
      }
    }, 180_000)
  }
})
