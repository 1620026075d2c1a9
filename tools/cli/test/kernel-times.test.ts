import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { kernelTimes } from "../src/kernel-times.js"

describe("kernel times of a profiled step", () => {
  it("sums each name's calls, sorts by time and gives each name's share of the timed total", () => {
    const kernels = [
      { name: "Conv2D", kernelTimeMs: 3 },
      { name: "Relu", kernelTimeMs: 0.5 },
      { name: "Conv2D", kernelTimeMs: 1 },
      { name: "Add", kernelTimeMs: 0.5 }
    ]
    expect(kernelTimes(kernels, 2)).toEqual([
      { name: "Conv2D", calls: 2, ms: 4, share: 0.8 },
      { name: "Relu", calls: 1, ms: 0.5, share: 0.1 }
    ])
  })

  it("reports nothing where the backend could not time its kernels", () => {
    expect(kernelTimes([{ name: "Conv2D", kernelTimeMs: { error: "no timer" } }], 5)).toEqual([])
    expect(kernelTimes([{ name: "Conv2D", kernelTimeMs: 0 }], 5)).toEqual([])
  })

  it("refuses a negative or fractional count, naming the flag", () => {
    expect(() => kernelTimes([], -1)).toThrow(/--kernels.*-1/)
    expect(() => kernelTimes([], 1.5)).toThrow(/--kernels/)
  })

  it("reads tf.profile's own timings on the cpu backend", async () => {
    await tf.setBackend("cpu")
    const a = tf.randomNormal([64, 64])
    const profile = await tf.profile(() => tf.dispose([tf.matMul(a, a), tf.relu(a)]))
    a.dispose()
    const times = kernelTimes(profile.kernels, 10)
    expect(times.map((k) => k.name).sort()).toEqual(["BatchMatMul", "Relu"])
    expect(times.reduce((s, k) => s + k.share, 0)).toBeCloseTo(1, 2)
  })
})
