import * as tf from "@tensorflow/tfjs-core"
import { globalNorm } from "@samlab/core-tensor"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { evaluateOn, expectClose, nativeAvailable, nativeCalls, randomTensor, registerNative } from "./support.js"

const kernel = "SamlabGlobalNorm"

// Parameter sets like a model's: a scalar, batch-1 and odd sizes, one tensor long enough to be
// summed in several chunks across threads (over 2^16 elements), the MLP's first layer.
const sets: number[][][] = [[[]], [[1]], [[7], [3, 5], [1, 1, 1]], [[1031, 5], [5]], [[3072, 512], [512], [512, 512], [512], [512, 10], [10]]]

const tensorsOf = (shapes: number[][], seed: number, scale = 1): tf.Tensor[] => shapes.map((s, i) => randomTensor(seed + i, s, scale))
const paramsOf = (tensors: tf.Tensor[]) => Object.fromEntries(tensors.map((t, i) => [`p${i}`, t]))

/** The norm in float64 of the float32 values. */
const exactNorm = (tensors: tf.Tensor[]): number => Math.sqrt(tensors.reduce((s, t) => s + (t.dataSync() as Float32Array).reduce((a, v) => a + v * v, 0), 0))

describe.skipIf(!nativeAvailable)("SamlabGlobalNorm (core-tensor's globalNorm in one pass)", () => {
  let poolSize = 1
  beforeAll(async () => {
    poolSize = (await registerNative()).nativeInfo().threads
  })
  afterEach(async () => {
    ;(await registerNative()).setNativeThreads(poolSize)
  })

  // The kernel sums the squares in double and rounds once: within one float ulp of the exact
  // norm (rtol 1.2e-7). The ops on cpu round every square, each tensor's sum and each AddN
  // step to float (about 6e-8 relative each, halved by the square root): rtol 4e-7 between them.
  it("matches globalNorm's ops on cpu, and the float64 norm to one ulp", async () => {
    for (const [k, shapes] of sets.entries()) {
      for (const scale of [1, 1e-3, 1e3]) {
        const make = () => tensorsOf(shapes, 10 * k, scale)
        const expected = await evaluateOn("cpu", () => globalNorm(paramsOf(make())))
        const calls = await nativeCalls(kernel, async () => {
          const actual = await evaluateOn("native", () => globalNorm(paramsOf(make())))
          expectClose(actual[0]!, expected[0]!, `set ${k} x${scale} vs cpu`, { rtol: 4e-7, atol: 0 })
          const exact = tf.tidy(() => exactNorm(make()))
          expectClose(actual[0]!, { shape: [], values: Float32Array.of(exact) }, `set ${k} x${scale} vs float64`, { rtol: 1.2e-7, atol: 0 })
        })
        expect(calls.native).toBe(1)
      }
    }
  })

  it("gives NaN for an infinite or NaN element, as the ops do, and stays finite where the squares overflow float", async () => {
    for (const special of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
      const make = () => {
        const v = randomTensor(3, [70001]).dataSync() as Float32Array
        v[40000] = special
        return paramsOf([randomTensor(4, [5, 3]), tf.tensor1d(v)])
      }
      const expected = await evaluateOn("cpu", () => globalNorm(make()))
      const actual = await evaluateOn("native", () => globalNorm(make()))
      expect(Number.isNaN(expected[0]!.values[0])).toBe(true)
      expect(Number.isNaN(actual[0]!.values[0])).toBe(true)
    }
    const big = () => paramsOf([tf.tensor1d([3e19, -4e19]), tf.tensor1d([0])])
    const [expected] = await evaluateOn("cpu", () => globalNorm(big()))
    const [actual] = await evaluateOn("native", () => globalNorm(big()))
    expectClose(actual!, expected!, "squares beyond float", { rtol: 1.2e-7, atol: 0 })
    expectClose(actual!, { shape: [], values: Float32Array.of(5e19) }, "squares beyond float, exact", { rtol: 1.2e-7, atol: 0 })
  })

  it("has the gradient t / ||t|| (tfjs ops), as the ops' gradient on cpu", async () => {
    const shapes = [[33, 7], [7], [1]]
    const grads = () => tf.grads((...ts: tf.Tensor[]) => tf.mul(globalNorm(paramsOf(ts)), 3))(tensorsOf(shapes, 40))
    const expected = await evaluateOn("cpu", grads)
    const actual = await evaluateOn("native", grads)
    expect(actual.length).toBe(shapes.length)
    actual.forEach((a, i) => expectClose(a, expected[i]!, `gradient ${i}`, { rtol: 1e-6, atol: 1e-7 }))
  })

  it("gives the same bits on 1, 2 and 3 threads", async () => {
    const { setNativeThreads } = await registerNative()
    const norms: number[] = []
    for (const threads of [1, 2, 3]) {
      setNativeThreads(threads)
      const [r] = await evaluateOn("native", () => globalNorm(paramsOf(tensorsOf(sets[4]!, 50))))
      norms.push(r!.values[0]!)
    }
    expect(norms[1]).toBe(norms[0])
    expect(norms[2]).toBe(norms[0])
  })

  it("throws a NativeKernelError for a non-float32 input (it has no cpu twin)", async () => {
    const { NativeKernelError } = await registerNative()
    await tf.setBackend("native")
    tf.tidy(() => {
      const ints = tf.tensor1d([3, 4], "int32")
      expect(() => tf.engine().runKernel(kernel, [tf.ones([2]), ints] as unknown as tf.NamedTensorMap, {})).toThrow(NativeKernelError)
    })
  })
})
