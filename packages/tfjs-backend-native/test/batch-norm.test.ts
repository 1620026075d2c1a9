import * as tf from "@tensorflow/tfjs-core"
import { expectNoLeak, layers } from "@samlab/core-tensor"
import { beforeAll, describe, expect, it } from "vitest"
import {
  type Evaluated,
  evaluateOn,
  expectClose,
  nativeAvailable,
  nativeCalls,
  normals,
  randomTensor,
  registerNative,
  sizeOf,
  runKernelOutputs,
  leadingAxes,
  channelsOf
} from "./support.js"

const names = {
  channelMoments: "SamlabChannelMoments",
  channelAffine: "SamlabChannelAffine",
  channelGradSums: "SamlabChannelGradSums",
  channelAffineGrad: "SamlabChannelAffineGrad"
} as const

// Odd channel counts, channel counts and sizes off the SIMD widths, one row, and tensors large
// enough to be split across threads (over 2^17 elements) and over several reduction chunks.
const shapes: number[][] = [
  [1, 1, 1, 1],
  [2, 3, 5, 7],
  [4, 6, 6, 3],
  [1031, 5],
  [3, 1],
  [9, 33, 29, 16],
  [16, 17, 17, 33],
  [2, 4, 4, 130]
]

/** The kernel on native against `reference` (tfjs ops) on cpu, every output within ~1e-5 relative. */
const compare = async (what: string, kernel: string, reference: () => tf.Tensor[], inputs: () => tf.NamedTensorMap, atol = 1e-5) => {
  const expected = await evaluateOn("cpu", reference)
  const calls = await nativeCalls(kernel, async () => {
    const actual = await evaluateOn("native", () => runKernelOutputs(kernel, inputs()))
    expect(actual.length).toBe(expected.length)
    actual.forEach((a, i) => expectClose(a, expected[i]!, `${what} [output ${i}]`, { rtol: 1e-5, atol }))
  })
  expect(calls.native).toBe(1)
}

describe.skipIf(!nativeAvailable)("native batch-norm kernels", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("are registered for native only, under the names core-tensor's batch norm calls", async () => {
    const { batchNormKernelNames } = await registerNative()
    expect(batchNormKernelNames).toEqual(names)
    expect(layers.batchNormKernelNames).toEqual(names)
    for (const name of Object.values(names)) {
      expect(tf.getKernel(name, "native")).toBeDefined()
      expect(tf.getKernel(name, "cpu")).toBeUndefined()
    }
  })

  for (const shape of shapes) {
    const c = channelsOf(shape)
    const axes = leadingAxes(shape)
    // Data off zero (mean 3) so the centring matters.
    const x = () => tf.add(randomTensor(1, shape, 2), 3)
    const dy = () => randomTensor(2, shape)
    const vec = (seed: number) => () => randomTensor(seed, [c])

    it(`SamlabChannelMoments [${shape.join(", ")}] matches tf.moments`, async () => {
      await compare(
        `moments ${shape}`,
        names.channelMoments,
        () => {
          const { mean, variance } = tf.moments(x(), axes)
          return [mean, variance]
        },
        () => ({ x: x() })
      )
    })

    it(`SamlabChannelAffine [${shape.join(", ")}] matches x * scale + offset`, async () => {
      await compare(
        `affine ${shape}`,
        names.channelAffine,
        () => [tf.add(tf.mul(x(), vec(3)()), vec(4)())],
        () => ({ x: x(), scale: vec(3)(), offset: vec(4)() })
      )
    })

    it(`SamlabChannelGradSums [${shape.join(", ")}] matches sum(dy), sum(dy (x - center)) and sum(dy x)`, async () => {
      // The sums are over up to 150k products: an absolute tolerance for those near zero.
      const atol = 1e-5 * Math.sqrt(sizeOf(shape) / c) * 10
      await compare(
        `grad sums ${shape}`,
        names.channelGradSums,
        () => [tf.sum(dy(), axes), tf.sum(tf.mul(dy(), tf.sub(x(), vec(5)())), axes)],
        () => ({ dy: dy(), x: x(), center: vec(5)() }),
        atol
      )
      await compare(
        `grad sums ${shape} (no center)`,
        names.channelGradSums,
        () => [tf.sum(dy(), axes), tf.sum(tf.mul(dy(), x()), axes)],
        () => ({ dy: dy(), x: x() }),
        atol
      )
    })

    it(`SamlabChannelAffineGrad [${shape.join(", ")}] matches dy * a - x * k + c`, async () => {
      await compare(
        `affine grad ${shape}`,
        names.channelAffineGrad,
        () => [tf.add(tf.sub(tf.mul(dy(), vec(6)()), tf.mul(x(), vec(7)())), vec(8)())],
        () => ({ dy: dy(), x: x(), a: vec(6)(), k: vec(7)(), c: vec(8)() })
      )
    })
  }

  it("moments stay accurate far from zero (mean 1000, sd 0.01: a float32 sum of squares would lose it all)", async () => {
    const shape = [64, 8, 8, 5]
    const values = normals(9, sizeOf(shape), 0.01).map((v) => v + 1000)
    const [mean, variance] = await evaluateOn("native", () => runKernelOutputs(names.channelMoments, { x: tf.tensor(values, shape) }))
    const c = 5,
      rows = values.length / c
    const m = new Float64Array(c),
      v = new Float64Array(c)
    for (let i = 0; i < values.length; ++i) m[i % c]! += values[i]! / rows
    for (let i = 0; i < values.length; ++i) v[i % c]! += (values[i]! - m[i % c]!) ** 2 / rows
    const exact = (a: Float64Array): Evaluated => ({ shape: [c], values: Float32Array.from(a) })
    expectClose(mean!, exact(m), "mean", { rtol: 1e-6, atol: 0 })
    expectClose(variance!, exact(v), "variance", { rtol: 1e-5, atol: 0 })
  })

  it("moments of a constant channel are exactly that value and zero", async () => {
    const [mean, variance] = await evaluateOn("native", () => runKernelOutputs(names.channelMoments, { x: tf.fill([7, 3, 3, 2], 0.1) }))
    expect(Array.from(mean!.values)).toEqual([Math.fround(0.1), Math.fround(0.1)])
    expect(Array.from(variance!.values)).toEqual([0, 0])
  })

  it("reject what they cannot take with a NativeKernelError", async () => {
    await tf.setBackend("native")
    const { NativeKernelError } = await registerNative()
    tf.tidy(() => {
      expect(() => runKernelOutputs(names.channelAffine, { x: tf.ones([2, 3]), scale: tf.ones([2]), offset: tf.ones([3]) })).toThrow(NativeKernelError)
      expect(() => runKernelOutputs(names.channelMoments, { x: tf.ones([2, 3], "int32") })).toThrow(NativeKernelError)
      expect(() =>
        runKernelOutputs(names.channelAffineGrad, { dy: tf.ones([3, 2]), x: tf.ones([2, 3]), a: tf.ones([3]), k: tf.ones([3]), c: tf.ones([3]) })
      ).toThrow(NativeKernelError)
    })
  })

  it("SamlabChannelMoments and SamlabChannelAffine have gradients (the composite ops' on cpu)", async () => {
    const shape = [3, 4, 5, 6]
    const w = () => randomTensor(12, shape)
    const grads = (backend: string) =>
      evaluateOn(backend, () => {
        const x = tf.add(randomTensor(10, shape), 1)
        const s = randomTensor(11, [6])
        const o = randomTensor(13, [6])
        const f = (xi: tf.Tensor, si: tf.Tensor, oi: tf.Tensor): tf.Scalar => {
          const [mean, variance] =
            backend === "native" ? runKernelOutputs(names.channelMoments, { x: xi }) : (({ mean, variance }) => [mean, variance])(tf.moments(xi, [0, 1, 2]))
          const y = backend === "native" ? runKernelOutputs(names.channelAffine, { x: xi, scale: si, offset: oi })[0]! : tf.add(tf.mul(xi, si), oi)
          return tf.add(tf.sum(tf.mul(y, w())), tf.sum(tf.mul(tf.add(mean!, tf.mul(variance!, 3)), s))) as tf.Scalar
        }
        return tf.grads(f)([x, s, o])
      })
    const expected = await grads("cpu")
    const actual = await grads("native")
    actual.forEach((a, i) => expectClose(a, expected[i]!, `gradient ${i}`, { rtol: 1e-4, atol: 1e-5 }))
  })
})

describe.skipIf(!nativeAvailable)("core-tensor's batch norm on native", () => {
  const shape: [number, number, number, number] = [8, 6, 6, 7]
  const setup = () => {
    const params = { "bn/gamma": tf.add(randomTensor(20, [7], 0.3), 1), "bn/beta": randomTensor(21, [7], 0.3) }
    const state = { "bn/moving_mean": randomTensor(22, [7]), "bn/moving_var": tf.add(tf.abs(randomTensor(23, [7])), 0.5) }
    return { params, state, x: tf.add(randomTensor(24, shape, 1.5), 0.7), w: randomTensor(25, shape) }
  }

  /** Output, moving statistics and the gradients of sum(y w) for x, gamma and beta. */
  const training = (backend: string) =>
    evaluateOn(backend, () => {
      const { params, state, x, w } = setup()
      const newState: Record<string, tf.Tensor> = {}
      const y = layers.batchNorm(params, state, "bn", x as tf.Tensor4D, true, newState)
      const f = (xi: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Scalar => {
        const out = layers.batchNorm({ "bn/gamma": gamma, "bn/beta": beta }, state, "bn", xi as tf.Tensor4D, true, {})
        return tf.sum(tf.mul(out, w))
      }
      const grads = tf.grads(f)([x, params["bn/gamma"], params["bn/beta"]])
      return [y, newState["bn/moving_mean"]!, newState["bn/moving_var"]!, ...grads]
    })

  it("training: output, moving statistics and gradients (x, gamma, beta) match cpu's", async () => {
    // The ops path saves an intermediate in its customGrad, which tfjs's IS_TEST kernel leak check miscounts.
    tf.env().set("IS_TEST", false)
    const expected = await training("cpu").finally(() => tf.env().set("IS_TEST", true))
    let actual: Evaluated[] = []
    // These four kernels are core-tensor's path where the training kernels are not registered
    // (SamlabBatchNormTrain and its gradient, tested in batch-norm-train.test.ts).
    const trainKernels = Object.values(layers.batchNormTrainKernelNames).map((name) => tf.getKernel(name, "native")!)
    for (const k of trainKernels) tf.unregisterKernel(k.kernelName, "native")
    const calls = await nativeCalls(names.channelAffineGrad, async () => {
      actual = await training("native")
    }).finally(() => trainKernels.forEach((k) => tf.registerKernel(k)))
    expect(calls.native).toBe(1)
    const what = ["y", "moving_mean", "moving_var", "dx", "dgamma", "dbeta"]
    actual.forEach((a, i) => expectClose(a, expected[i]!, what[i]!, { rtol: 1e-4, atol: 1e-5 }))
  })

  it("evaluation matches cpu's, with the gradient through it", async () => {
    const evaluation = (backend: string) =>
      evaluateOn(backend, () => {
        const { params, state, x, w } = setup()
        const f = (xi: tf.Tensor, gamma: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(layers.batchNorm({ ...params, "bn/gamma": gamma }, state, "bn", xi as tf.Tensor4D, false, {}), w))
        return [layers.batchNorm(params, state, "bn", x as tf.Tensor4D, false, {}), ...tf.grads(f)([x, params["bn/gamma"]])]
      })
    const expected = await evaluation("cpu")
    let actual: Evaluated[] = []
    const calls = await nativeCalls(names.channelAffine, async () => {
      actual = await evaluation("native")
    })
    expect(calls.native).toBe(2)
    actual.forEach((a, i) => expectClose(a, expected[i]!, `evaluation output ${i}`, { rtol: 1e-4, atol: 1e-5 }))
  })

  it("leaks no tensor over a training step's forward and backward", async () => {
    await tf.setBackend("native")
    const { params, state, x, w } = setup()
    await expectNoLeak("batch norm on native", () => {
      const f = (xi: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Scalar => {
        const newState: Record<string, tf.Tensor> = {}
        const y = layers.batchNorm({ "bn/gamma": gamma, "bn/beta": beta }, state, "bn", xi as tf.Tensor4D, true, newState)
        tf.dispose(Object.values(newState))
        return tf.sum(tf.mul(y, w))
      }
      const { value, grads } = tf.valueAndGrads(f)([x, params["bn/gamma"], params["bn/beta"]])
      tf.dispose([value, ...grads])
    })
    tf.dispose([...Object.values(params), ...Object.values(state), x, w])
  })
})
