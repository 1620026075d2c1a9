import * as tf from "@tensorflow/tfjs-core"
import { type Params, Rng, disposeParams, mlp, sgd } from "@samlab/core-tensor"
import { describe, expect, it } from "vitest"
import { sam } from "../src/index.js"
import { skipWithReason, webgpuUnavailable } from "../../core-tensor/test/webgpu/on-webgpu.js"

const unavailable = await webgpuUnavailable()
if (unavailable !== undefined) skipWithReason(unavailable)

/** The webgpu backend's own count of the bytes its live tensors hold on the GPU. */
const gpuBytes = (): number => (tf.memory() as tf.MemoryInfo & { numBytesInGPU: number }).numBytesInGPU

describe.skipIf(unavailable !== undefined)("SAM on webgpu (SwiftShader) over 100 steps", () => {
  it("keeps the tensor count and the GPU memory flat", async () => {
    await tf.setBackend("webgpu")
    const model = mlp({ inputDim: 12, hidden: [8], numClasses: 10 })
    const method = sam({ rho: 0.05, base: sgd({ lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }) })
    const rng = new Rng(2)
    let params: Params = model.init(rng.fork("init"))
    let state = method.init(params)
    const x = tf.tensor2d(rng.fork("x").normalArray(4 * 12), [4, 12])
    const y = tf.tensor1d([0, 3, 5, 9], "int32")
    const forward = (p: Params, input: tf.Tensor) => model.apply(p, input, { training: true })
    const counts: Array<{ tensors: number; bytes: number }> = []
    for (let s = 1; s <= 100; s++) {
      const r = method.step(params, state, { x, y }, forward, s)
      disposeParams(params, r.modelState)
      method.disposeState(state)
      params = r.params
      state = r.state
      counts.push({ tensors: tf.memory().numTensors, bytes: gpuBytes() })
      if (s % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 0)) // the test runner talks through the event loop
    }
    expect(gpuBytes()).toBeGreaterThan(0) // the tensors do live on the GPU
    expect(new Set(counts.map((c) => c.tensors)).size).toBe(1)
    expect(new Set(counts.map((c) => c.bytes)).size).toBe(1)
    disposeParams(params)
    method.disposeState(state)
    tf.dispose([x, y])
  }, 180_000)
})
