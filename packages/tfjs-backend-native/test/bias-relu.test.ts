import * as tf from "@tensorflow/tfjs-core"
import { layers } from "@samlab/core-tensor"
import { beforeAll, describe, expect, it } from "vitest"
import {
  evaluateOn,
  expectClose,
  expectSameAsCpu,
  nativeAvailable,
  nativeCalls,
  randomTensor,
  registerNative,
  sizeOf,
  runKernelOutputs,
  leadingAxes,
  channelsOf
} from "./support.js"

const names = { biasRelu: "SamlabBiasRelu", reluGrad: "SamlabReluGrad", biasReluGrad: "SamlabBiasReluGrad" } as const

// Batch 1, one row, channel counts off the SIMD widths, and tensors large enough to be split
// across threads (over 2^17 elements) and over several reduction chunks.
const shapes: number[][] = [
  [1, 1, 1, 1],
  [1, 3, 3, 5],
  [2, 3, 5, 7],
  [1031, 5],
  [3, 1],
  [9, 33, 29, 16],
  [16, 17, 17, 33],
  [2, 4, 4, 130]
]

/** Normals with NaN, +-Infinity and exact zeros mixed in (every 11th, 13th, 17th, 7th element). */
const special = (seed: number, shape: number[]): tf.Tensor => {
  const v = randomTensor(seed, shape).dataSync() as Float32Array
  for (let i = 0; i < v.length; i += 11) v[i] = Number.NaN
  for (let i = 5; i < v.length; i += 13) v[i] = Number.POSITIVE_INFINITY
  for (let i = 3; i < v.length; i += 17) v[i] = Number.NEGATIVE_INFINITY
  for (let i = 2; i < v.length; i += 7) v[i] = 0
  return tf.tensor(v, shape)
}

/** The kernel on native against `reference` (tfjs ops) on cpu. */
const compare = async (what: string, kernel: string, reference: () => tf.Tensor[], inputs: () => tf.NamedTensorMap, tol: { rtol: number; atol: number }) => {
  const expected = await evaluateOn("cpu", reference)
  const calls = await nativeCalls(kernel, async () => {
    const actual = await evaluateOn("native", () => runKernelOutputs(kernel, inputs()))
    expect(actual.length).toBe(expected.length)
    actual.forEach((a, i) => expectClose(a, expected[i]!, `${what} [output ${i}]`, tol))
  })
  expect(calls.native).toBe(1)
}

const exact = { rtol: 0, atol: 0 }

describe.skipIf(!nativeAvailable)("native bias + ReLU kernels", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("are registered for native only, under the names core-tensor's layers call", async () => {
    const { biasReluKernelNames } = await registerNative()
    expect(biasReluKernelNames).toEqual(names)
    expect(layers.reluKernelNames).toEqual(names)
    for (const name of Object.values(names)) {
      expect(tf.getKernel(name, "native")).toBeDefined()
      expect(tf.getKernel(name, "cpu")).toBeUndefined()
    }
  })

  for (const shape of shapes) {
    const c = channelsOf(shape)
    for (const [label, x, dy] of [
      ["normals", () => randomTensor(1, shape), () => randomTensor(2, shape)],
      ["with NaN and infinities", () => special(3, shape), () => special(4, shape)]
    ] as const) {
      const bias = () => randomTensor(5, [c])
      const y = () => tf.relu(x())

      it(`SamlabBiasRelu [${shape.join(", ")}], ${label}: relu(x + bias) bit for bit`, async () => {
        await compare(
          `bias relu ${shape}`,
          names.biasRelu,
          () => [tf.relu(tf.add(x(), bias()))],
          () => ({ x: x(), bias: bias() }),
          exact
        )
      })

      it(`SamlabReluGrad and SamlabBiasReluGrad [${shape.join(", ")}], ${label}: dy * step(x), and its sums`, async () => {
        const dx = () => tf.mul(dy(), tf.step(x()))
        await compare(
          `relu grad ${shape}`,
          names.reluGrad,
          () => [dx()],
          () => ({ dy: dy(), y: y() }),
          exact
        )
        // The sums are over up to 150k values: an absolute tolerance for those near zero.
        const atol = 1e-5 * Math.sqrt(sizeOf(shape) / c) * 10
        const expected = await evaluateOn("cpu", () => [dx(), tf.sum(dx(), leadingAxes(shape))])
        const actual = await evaluateOn("native", () => runKernelOutputs(names.biasReluGrad, { dy: dy(), y: y() }))
        expectClose(actual[0]!, expected[0]!, `bias relu grad ${shape} dx`, exact)
        expectClose(actual[1]!, expected[1]!, `bias relu grad ${shape} sums`, { rtol: 1e-5, atol })
      })
    }
  }

  it("reject what they cannot take with a NativeKernelError", async () => {
    await tf.setBackend("native")
    const { NativeKernelError } = await registerNative()
    tf.tidy(() => {
      expect(() => runKernelOutputs(names.biasRelu, { x: tf.ones([2, 3]), bias: tf.ones([2]) })).toThrow(NativeKernelError)
      expect(() => runKernelOutputs(names.reluGrad, { dy: tf.ones([3, 2]), y: tf.ones([2, 3]) })).toThrow(NativeKernelError)
      expect(() => runKernelOutputs(names.biasReluGrad, { dy: tf.ones([2, 3], "int32"), y: tf.ones([2, 3]) })).toThrow(NativeKernelError)
    })
  })

  it("SamlabBiasRelu has a gradient (tfjs ops) for models differentiated through the kernel itself", async () => {
    const shape = [3, 4, 5, 6]
    const grads = (backend: string) =>
      evaluateOn(backend, () => {
        const w = randomTensor(12, shape)
        const f = (x: tf.Tensor, b: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(backend === "native" ? runKernelOutputs(names.biasRelu, { x, bias: b })[0]! : tf.relu(tf.add(x, b)), w))
        return tf.grads(f)([randomTensor(10, shape), randomTensor(11, [6])])
      })
    const expected = await grads("cpu")
    const actual = await grads("native")
    actual.forEach((a, i) => expectClose(a, expected[i]!, `gradient ${i}`, { rtol: 1e-5, atol: 1e-5 }))
  })
})

describe.skipIf(!nativeAvailable)("core-tensor's relu and biasRelu on native", () => {
  for (const shape of [
    [1, 5, 5, 3],
    [4, 9, 7, 33],
    [128, 19]
  ]) {
    const c = channelsOf(shape)
    /** Values and gradients (x, bias) of sum(f(x, bias) w): the layers against tfjs's ops on cpu. */
    const valuesAndGrads = (f: (x: tf.Tensor, b: tf.Tensor) => tf.Tensor) => () => {
      const w = randomTensor(22, shape)
      const x = special(20, shape),
        b = randomTensor(21, [c])
      const loss = (xi: tf.Tensor, bi: tf.Tensor): tf.Scalar => tf.sum(tf.mul(f(xi, bi), w))
      return [f(x, b), ...tf.grads(loss)([x, b])]
    }

    it(`biasRelu [${shape.join(", ")}]: value and gradients as tf.relu(tf.add(x, bias)), one fused gradient call`, async () => {
      const calls = await nativeCalls(names.biasReluGrad, () =>
        expectSameAsCpu(
          `biasRelu ${shape}`,
          valuesAndGrads((x, b) => layers.biasRelu(x, b)),
          { rtol: 1e-5, atol: 1e-4 }
        )
      )
      expect(calls.native).toBe(1)
    })

    it(`relu [${shape.join(", ")}]: value and gradient as tf.relu, one fused gradient call`, async () => {
      const calls = await nativeCalls(names.reluGrad, () =>
        expectSameAsCpu(
          `relu ${shape}`,
          valuesAndGrads((x, b) => layers.relu(tf.add(x, b))),
          { rtol: 1e-5, atol: 1e-4 }
        )
      )
      expect(calls.native).toBe(1)
    })
  }
})
