import * as tf from "@tensorflow/tfjs-core"
import { type Model, type Params, Rng, disposeParams, erm, expectNoLeak, mlp, selectBackend, sgd, smallCnn } from "@samlab/core-tensor"
import { beforeAll, describe, expect, it } from "vitest"
import { expectClose, nativeAvailable, registerNative } from "./support.js"

/** Trains `steps` SGD steps from the seeded init on the active backend; returns losses and final params as host arrays. */
const train = (model: Model, steps: number): { losses: number[]; params: Record<string, { shape: number[]; values: Float32Array }> } => {
  const rng = new Rng(42)
  let params: Params = model.init(rng.fork("init"))
  const data = rng.fork("data")
  const batch = 16
  const x = tf.tensor(data.normalArray(batch * model.inputShape.reduce((a, b) => a * b, 1)), [batch, ...model.inputShape])
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, () => data.int(model.numClasses)),
    "int32"
  )
  const method = erm(sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4 }))
  let state = method.init(params)
  const losses: number[] = []
  for (let s = 0; s < steps; ++s) {
    const r = method.step(params, state, { x, y }, (p, input) => model.apply(p, input, { training: true }), s)
    disposeParams(params)
    method.disposeState(state)
    disposeParams(r.modelState)
    params = r.params
    state = r.state
    losses.push(r.loss)
  }
  const out = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, { shape: t.shape, values: Float32Array.from(t.dataSync()) }]))
  disposeParams(params)
  method.disposeState(state)
  tf.dispose([x, y])
  return { losses, params: out }
}

describe.skipIf(!nativeAvailable)("the native backend", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("registers under the name native, with every cpu kernel available", async () => {
    expect(tf.findBackendFactory("native")).not.toBeNull()
    const cpu = tf.getKernelsForBackend("cpu").map((k) => k.kernelName)
    const native = new Set(tf.getKernelsForBackend("native").map((k) => k.kernelName))
    expect(cpu.filter((k) => !native.has(k))).toEqual([])
  })

  it("reports what it runs natively and how", async () => {
    const { nativeInfo, nativeKernelNames, setNativeThreads, NativeKernelError } = await registerNative()
    const info = nativeInfo()
    expect(info.threads).toBeGreaterThanOrEqual(1)
    expect(typeof info.simd).toBe("string")
    expect(nativeKernelNames()).toEqual(
      expect.arrayContaining([
        "BatchMatMul",
        "_FusedMatMul",
        "Conv2D",
        "Conv2DBackpropInput",
        "Conv2DBackpropFilter",
        "FusedConv2D",
        "MaxPool",
        "MaxPoolGrad",
        "AvgPool",
        "AvgPoolGrad"
      ])
    )
    expect(() => setNativeThreads(0)).toThrow(NativeKernelError)
  })

  it("measures the fp32 peak with FMA chains on every pool thread, counting 2 flops per lane of each FMA", async () => {
    const { measureNativePeak, nativeInfo, NativeKernelError } = await registerNative()
    const m = measureNativePeak(1000)
    expect(m.threads).toBe(nativeInfo().threads)
    const lanes = nativeInfo().simd === "avx512f" ? 16 : 8
    expect(m.flops).toBe(1000 * 10 * 2 * lanes * m.threads)
    expect(m.seconds).toBeGreaterThan(0)
    expect(m.gflops).toBeCloseTo(m.flops / m.seconds / 1e9, 6)
    expect(() => measureNativePeak(0)).toThrow(NativeKernelError)
  })

  it("gives the same numbers with one thread as with the whole pool", async () => {
    const { nativeInfo, setNativeThreads } = await registerNative()
    const threads = nativeInfo().threads
    await tf.setBackend("native")
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(new Rng(1).normalArray(8 * 12 * 12 * 16), [8, 12, 12, 16]) as tf.Tensor4D
        const w = tf.tensor(new Rng(2).normalArray(3 * 3 * 16 * 32), [3, 3, 16, 32]) as tf.Tensor4D
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same"))))([x, w])
        // 16 output channels on 16x16 images: the in-place stride-1 paths (forward and both gradients).
        const x16 = tf.tensor(new Rng(5).normalArray(6 * 16 * 16 * 16), [6, 16, 16, 16]) as tf.Tensor4D
        const w16 = tf.tensor(new Rng(4).normalArray(3 * 3 * 16 * 16), [3, 3, 16, 16]) as tf.Tensor4D
        const [gx16, gw16] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same"))))([x16, w16])
        return [
          gx!.dataSync().slice(),
          gw!.dataSync().slice(),
          gx16!.dataSync().slice(),
          gw16!.dataSync().slice(),
          tf
            .matMul(tf.reshape(x, [96, 192]), tf.reshape(x, [96, 192]), true, false)
            .dataSync()
            .slice()
        ]
      })
    const pooled = run()
    try {
      setNativeThreads(1)
      const single = run()
      single.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(pooled[i]!)))
    } finally {
      setNativeThreads(threads)
    }
  })

  it("leaks no tensors across forward, gradient and fallback kernels", async () => {
    await tf.setBackend("native")
    const x = tf.tensor(new Rng(3).normalArray(2 * 8 * 8 * 3), [2, 8, 8, 3]) as tf.Tensor4D
    const w = tf.tensor(new Rng(4).normalArray(3 * 3 * 3 * 4), [3, 3, 3, 4]) as tf.Tensor4D
    await expectNoLeak("native ops", () => {
      tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same")), 2, 2, "valid"))
        tf.grads(f)([x, w])
        tf.fused.conv2d({ x, filter: w, strides: 1, pad: "same", bias: tf.ones([4]), activation: "prelu", preluActivationWeights: tf.ones([4]) })
        tf.fused.matMul({ a: tf.ones([3, 4]), b: tf.ones([4, 5]), bias: tf.ones([3, 5]), activation: "relu" })
        tf.conv2d(tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D, w, 1, "same", "NCHW")
      })
    })
    tf.dispose([x, w])
  })

  it("is selectable through core-tensor's selectBackend and trains like cpu", async () => {
    const lines: string[] = []
    const info = await selectBackend({ backend: "native", log: (l) => lines.push(l) })
    expect(info.name).toBe("native")
    expect(tf.getBackend()).toBe("native")
    expect(lines[0]).toContain("backend native (@samlab/tfjs-backend-native")
    const models: Model[] = [
      mlp({ inputDim: 48, hidden: [32, 24], numClasses: 10 }),
      smallCnn({ channels: [4, 8], dense: 16, inputShape: [8, 8, 3], numClasses: 10 })
    ]
    for (const model of models) {
      const native = await expectNoLeak(`${model.name} on native`, () => train(model, 4))
      await tf.setBackend("cpu")
      const cpu = train(model, 4)
      await tf.setBackend("native")
      native.losses.forEach((l, i) => expect(l, `${model.name} loss at step ${i}`).toBeCloseTo(cpu.losses[i]!, 4))
      for (const [name, p] of Object.entries(cpu.params))
        expectClose(native.params[name]!, p, `${model.name} ${name} after 4 steps`, { rtol: 1e-3, atol: 1e-5 })
    }
  })
})
