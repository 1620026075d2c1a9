import * as tf from "@tensorflow/tfjs-core"
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core"
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import { beforeAll, describe, expect, it } from "vitest"
import { Rng, disposeParams, expectNoLeak, layers, resnet } from "../../src/index.js"
import { expectAllClose } from "./helpers.js"

/**
 * The batch norm layers' path over a backend's training kernels (SamlabBatchNormTrain,
 * SamlabBatchNormTrainGrad, with SamlabReluGrad for a residual), checked on cpu with plain
 * JavaScript versions of those kernels registered for it: the same outputs, new state and
 * gradients as the ops path (the kernels unregistered again), within float32 tolerance (the
 * references below work in double and round once, the ops in float32 at every step).
 */
const names = layers.batchNormTrainKernelNames
const calls: Record<string, number> = {}

const values = (backend: MathBackendCPU, t: TensorInfo): Float32Array => backend.readSync(t.dataId) as Float32Array
const made = (backend: MathBackendCPU, shape: number[], v: Float32Array): TensorInfo => backend.makeTensorInfo(shape, "float32", v)
const step = (v: number): number => (Number.isNaN(v) ? v : v > 0 ? 1 : 0)

/** scale = gamma / sqrt(variance + epsilon) and offset = beta - mean scale, rounded to float32 as the forward uses them. */
const affine = (gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number) => {
  const scale = new Float32Array(gamma.length),
    offset = new Float32Array(gamma.length)
  for (let j = 0; j < gamma.length; j++) {
    const s = gamma[j]! / Math.sqrt(variance[j]! + epsilon)
    scale[j] = s
    offset[j] = beta[j]! - mean[j]! * s
  }
  return { scale, offset }
}

const kernels: KernelConfig[] = [
  {
    kernelName: names.batchNormTrain,
    backendName: "cpu",
    kernelFunc: ({ inputs, backend, attrs }) => {
      calls[names.batchNormTrain] = (calls[names.batchNormTrain] ?? 0) + 1
      const b = backend as MathBackendCPU
      const { relu, epsilon, momentum } = attrs as { relu: boolean; epsilon: number; momentum: number }
      const x = values(b, inputs["x"]!)
      const [gamma, beta, mm, mv] = ["gamma", "beta", "movingMean", "movingVar"].map((n) => values(b, inputs[n]!)) as Float32Array[]
      const residual = inputs["residual"] ? values(b, inputs["residual"]) : undefined
      const c = gamma!.length,
        rows = x.length / c
      const mean = new Float32Array(c),
        variance = new Float32Array(c)
      for (let j = 0; j < c; j++) {
        let s = 0
        for (let r = 0; r < rows; r++) s += x[r * c + j]!
        const m = s / rows
        let q = 0
        for (let r = 0; r < rows; r++) q += (x[r * c + j]! - m) ** 2
        mean[j] = m
        variance[j] = q / rows
      }
      const { scale, offset } = affine(gamma!, beta!, mean, variance, epsilon)
      const y = new Float32Array(x.length)
      for (let i = 0; i < x.length; i++) {
        const v = x[i]! * scale[i % c]! + offset[i % c]! + (residual ? residual[i]! : 0)
        y[i] = relu && v < 0 ? 0 : v
      }
      const newMean = mm!.map((v, j) => (1 - momentum) * v + momentum * mean[j]!)
      const newVar = mv!.map((v, j) => (1 - momentum) * v + (momentum * variance[j]! * rows) / (rows - 1))
      const shape = inputs["x"]!.shape
      return [made(b, shape, y), ...[mean, variance, newMean, newVar].map((v) => made(b, [c], v))]
    }
  },
  {
    kernelName: names.batchNormTrainGrad,
    backendName: "cpu",
    kernelFunc: ({ inputs, backend, attrs }) => {
      calls[names.batchNormTrainGrad] = (calls[names.batchNormTrainGrad] ?? 0) + 1
      const b = backend as MathBackendCPU
      const { relu, epsilon } = attrs as { relu: boolean; epsilon: number }
      const [dy, x, gamma, beta, mean, variance] = ["dy", "x", "gamma", "beta", "mean", "variance"].map((n) => values(b, inputs[n]!)) as Float32Array[]
      const c = gamma!.length,
        rows = x!.length / c
      const { scale, offset } = affine(gamma!, beta!, mean!, variance!, epsilon)
      const g = dy!.map((v, i) => (relu ? v * step(x![i]! * scale[i % c]! + offset[i % c]!) : v))
      const dx = new Float32Array(x!.length),
        dgamma = new Float32Array(c),
        dbeta = new Float32Array(c)
      for (let j = 0; j < c; j++) {
        const inv = 1 / Math.sqrt(variance![j]! + epsilon)
        let sg = 0,
          sgx = 0
        for (let r = 0; r < rows; r++) {
          sg += g[r * c + j]!
          sgx += g[r * c + j]! * (x![r * c + j]! - mean![j]!) * inv
        }
        for (let r = 0; r < rows; r++) {
          const xhat = (x![r * c + j]! - mean![j]!) * inv
          dx[r * c + j] = gamma![j]! * inv * (g[r * c + j]! - sg / rows - (xhat * sgx) / rows)
        }
        dgamma[j] = sgx
        dbeta[j] = sg
      }
      return [made(b, inputs["x"]!.shape, dx), made(b, [c], dgamma), made(b, [c], dbeta)]
    }
  },
  {
    kernelName: layers.reluKernelNames.reluGrad,
    backendName: "cpu",
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as MathBackendCPU
      const [dy, y] = [values(b, inputs["dy"]!), values(b, inputs["y"]!)]
      return made(
        b,
        inputs["y"]!.shape,
        dy.map((v, i) => v * step(y[i]!))
      )
    }
  }
]

const register = () => kernels.forEach((k) => tf.registerKernel(k))
const unregister = () => kernels.forEach((k) => tf.unregisterKernel(k.kernelName, "cpu"))

describe("batch norm on a backend's training kernels (JavaScript references on cpu)", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu")
  })

  /** Logits, new state and every parameter's gradient of a small ResNet's training pass. */
  const resnetPass = (): Float32Array[] =>
    tf.tidy(() => {
      const model = resnet({ blocks: [1, 1], width: 4, inputShape: [8, 8, 3] })
      const params = model.init(new Rng(7))
      const state = model.initState()
      const x = tf.tensor2d(new Rng(30).normalArray(3 * 8 * 8 * 3), [3, 8 * 8 * 3])
      const keys = Object.keys(params)
      const f = (...ws: tf.Tensor[]): tf.Scalar => {
        const out = model.apply(Object.fromEntries(keys.map((k, i) => [k, ws[i]!])), x, { training: true, state })
        return tf.sum(tf.mul(out.logits, tf.reshape(tf.range(0, out.logits.size), out.logits.shape)))
      }
      const out = model.apply(params, x, { training: true, state })
      const result = [out.logits, ...Object.values(out.state), ...tf.grads(f)(keys.map((k) => params[k]!))].map((t) => t.dataSync() as Float32Array)
      disposeParams(params, state)
      return result
    })

  it("a ResNet's training pass: the same logits, new state and gradients as the ops path", () => {
    // The ops path saves an intermediate in its customGrad, which tfjs's IS_TEST kernel leak check miscounts.
    tf.env().set("IS_TEST", false)
    const expected = resnetPass()
    tf.env().set("IS_TEST", true)
    register()
    const before = { ...calls }
    let actual: Float32Array[]
    try {
      actual = resnetPass()
    } finally {
      unregister()
    }
    // Six batch norms (stem, two per block, the shortcut), in the pass and in its gradient's.
    expect((calls[names.batchNormTrain] ?? 0) - (before[names.batchNormTrain] ?? 0)).toBe(12)
    expect((calls[names.batchNormTrainGrad] ?? 0) - (before[names.batchNormTrainGrad] ?? 0)).toBe(6)
    expect(actual.length).toBe(expected.length)
    actual.forEach((a, i) => expectAllClose(a, expected[i]!, 1e-4, 1e-3))
  })

  it("batchNormRelu with and without a residual, and batchNorm: outputs and gradients as the ops path, no leaked tensor", async () => {
    const shape: [number, number, number, number] = [4, 3, 3, 5]
    const rng = new Rng(3)
    const x = tf.tensor4d(rng.normalArray(4 * 3 * 3 * 5), shape)
    const r = tf.tensor4d(rng.normalArray(4 * 3 * 3 * 5), shape)
    const w = tf.tensor4d(rng.normalArray(4 * 3 * 3 * 5), shape)
    const gamma = tf.tensor1d(rng.normalArray(5))
    const beta = tf.tensor1d(rng.normalArray(5))
    const state = { "bn/moving_mean": tf.zeros([5]), "bn/moving_var": tf.ones([5]) }
    for (const form of ["bn", "relu", "residual"] as const) {
      const run = () =>
        tf.tidy(() => {
          const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, ri: tf.Tensor): tf.Scalar => {
            const p = { "bn/gamma": g, "bn/beta": b }
            const y =
              form === "bn"
                ? layers.batchNorm(p, state, "bn", xi as tf.Tensor4D, true, {})
                : layers.batchNormRelu(p, state, "bn", xi as tf.Tensor4D, true, {}, form === "residual" ? (ri as tf.Tensor4D) : undefined)
            return tf.add(tf.sum(tf.mul(y, w)), tf.sum(tf.mul(ri, 0.5)))
          }
          return tf
            .grads(f)([x, gamma, beta, r])
            .map((t) => t.dataSync() as Float32Array)
        })
      tf.env().set("IS_TEST", false)
      const expected = run()
      tf.env().set("IS_TEST", true)
      register()
      try {
        const actual = run()
        actual.forEach((a, i) => expectAllClose(a, expected[i]!, 1e-4, 1e-3))
        await expectNoLeak(`batch norm (${form}) on training kernels`, () => {
          run()
        })
      } finally {
        unregister()
      }
    }
    tf.dispose([x, r, w, gamma, beta, ...Object.values(state)])
  })
})
