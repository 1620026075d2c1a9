import * as tf from "@tensorflow/tfjs-core"
import { Rng, referenceMlp, scaledAdd, sgd } from "@samlab/core-tensor"
import { beforeAll, describe, expect, it } from "vitest"
import { evaluateOn, expectClose, nativeAvailable, nativeCalls, randomTensor, registerNative } from "./support.js"

const kernel = "SamlabScaledAdd"
const exact = { rtol: 0, atol: 0 }

/** core-tensor's a + b * s on single tensors (its scaledAdd works on parameter sets). */
const addScaled = (a: tf.Tensor, b: tf.Tensor, s: number | tf.Scalar): tf.Tensor => scaledAdd({ t: a }, { t: b }, s)["t"]!

// A scalar, batch 1, odd sizes, and sizes split across threads (over 2^17 elements).
const shapes: number[][] = [[], [1], [7, 3], [1031, 5], [3072, 512]]

/** Normals with NaN, infinities, zeros of both signs, a denormal and values whose products overflow. */
const special = (seed: number, shape: number[]): tf.Tensor => {
  const v = randomTensor(seed, shape, 100).dataSync() as Float32Array
  const specials = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-45, 3e38, -3e38]
  for (let i = 0; i < v.length; i += 5) v[i] = specials[(i / 5) % specials.length]!
  return tf.tensor(v, shape)
}

describe.skipIf(!nativeAvailable)("SamlabScaledAdd (core-tensor's a + b * s in one pass: scaledAdd, weight decay, momentum)", () => {
  beforeAll(async () => {
    await registerNative()
  })

  // Float products and sums are correctly rounded on both sides: the kernel must give the same bits.
  it("is bit for bit tf.add(a, tf.mul(b, s)) on cpu, specials included", async () => {
    for (const [k, shape] of shapes.entries()) {
      for (const s of [0.9, 5e-4, -0.01, 0, 1e30]) {
        const f = () => addScaled(special(k, shape), special(k + 100, shape), s)
        const expected = await evaluateOn("cpu", f)
        const calls = await nativeCalls(kernel, async () => {
          const actual = await evaluateOn("native", f)
          expectClose(actual[0]!, expected[0]!, `${shape} s=${s}`, exact)
        })
        expect(calls.native).toBe(1)
      }
    }
  })

  it("takes s as a scalar tensor too, and leaves int32 to the ops", async () => {
    const scalar = () => addScaled(randomTensor(1, [9, 4]), randomTensor(2, [9, 4]), tf.scalar(-0.3))
    const calls = await nativeCalls(kernel, async () => {
      expectClose((await evaluateOn("native", scalar))[0]!, (await evaluateOn("cpu", scalar))[0]!, "tensor s", exact)
      await tf.setBackend("native")
      expect(Array.from(addScaled(tf.tensor1d([1, 2], "int32"), tf.tensor1d([3, 4], "int32"), 2).dataSync())).toEqual([7, 10])
    })
    expect(calls).toEqual({ native: 1, fallback: 0 })
  })

  it("leaves SGD with momentum and weight decay bit for bit as on cpu, over several steps", async () => {
    const run = () => {
      const model = referenceMlp(10)
      let params = model.init(new Rng(3))
      const opt = sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4 })
      let state = opt.init(params)
      const out: tf.Tensor[] = []
      for (let step = 0; step < 3; step++) {
        const grads = Object.fromEntries(Object.entries(params).map(([name, w], i) => [name, randomTensor(10 * step + i, w.shape)]))
        const r = opt.update(grads, state, params)
        params = Object.fromEntries(Object.entries(params).map(([name, w]) => [name, tf.add(w, r.updates[name]!)]))
        state = r.state
      }
      out.push(...Object.values(params))
      return out
    }
    const expected = await evaluateOn("cpu", run)
    const calls = await nativeCalls(kernel, async () => {
      const actual = await evaluateOn("native", run)
      actual.forEach((a, i) => expectClose(a, expected[i]!, `parameter ${i}`, exact))
    })
    // weight decay and momentum: two per tensor per step
    expect(calls.native).toBe(2 * 6 * 3)
  })

  it("has the gradient (dy, dy s, sum(dy b)) of the two ops", async () => {
    const f = () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => tf.sum(tf.square(addScaled(a, b, s as tf.Scalar))))([
        randomTensor(5, [13, 3]),
        randomTensor(6, [13, 3]),
        tf.scalar(0.7)
      ])
    const expected = await evaluateOn("cpu", f)
    const actual = await evaluateOn("native", f)
    actual.forEach((a, i) => expectClose(a, expected[i]!, `gradient ${i}`, { rtol: 1e-6, atol: 1e-6 }))
  })

  it("throws a NativeKernelError on a bad input (it has no cpu twin)", async () => {
    const { NativeKernelError } = await registerNative()
    await tf.setBackend("native")
    tf.tidy(() => {
      const run = (inputs: tf.NamedTensorMap) => () => tf.engine().runKernel(kernel, inputs, {})
      expect(run({ a: tf.ones([3]), b: tf.ones([4]), s: tf.scalar(1) })).toThrow(NativeKernelError)
      expect(run({ a: tf.ones([3]), b: tf.ones([3]), s: tf.ones([2]) })).toThrow(NativeKernelError)
      expect(run({ a: tf.ones([3]), b: tf.ones([3], "int32"), s: tf.scalar(1) })).toThrow(NativeKernelError)
    })
  })
})
