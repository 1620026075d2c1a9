import * as tf from "@tensorflow/tfjs-core"
import { Rng, expectNoLeak, layers, resnet } from "@samlab/core-tensor"
import { beforeAll, describe, expect, it } from "vitest"
import {
  type Evaluated,
  evaluateOn,
  expectClose,
  nativeAvailable,
  nativeCalls,
  randomTensor,
  registerNative,
  runKernelOutputs,
  leadingAxes,
  channelsOf
} from "./support.js"

const names = {
  channelAffineRelu: "SamlabChannelAffineRelu",
  channelReluGradSums: "SamlabChannelReluGradSums",
  channelReluAffineGrad: "SamlabChannelReluAffineGrad"
} as const

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

// The kernels may fuse x * scale + offset into one FMA where cpu rounds the product first: a
// float32 rounding or two of |x scale| + |offset| (about 1e-7 relative of values of order 1);
// the sums are taken in double, so only cpu's float32 sums over up to ~15k rows (about
// 1e-7 * sqrt(rows) relative, times the cancellation) differ.
const elementwise = { rtol: 1e-5, atol: 1e-6 }
const sums = { rtol: 1e-4, atol: 1e-4 }

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

describe.skipIf(!nativeAvailable)("native batch-norm + ReLU kernels", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("are registered for native only, under the names core-tensor's batch norm calls", async () => {
    const { batchNormReluKernelNames } = await registerNative()
    expect(batchNormReluKernelNames).toEqual(names)
    expect(layers.batchNormReluKernelNames).toEqual(names)
    for (const name of Object.values(names)) {
      expect(tf.getKernel(name, "native")).toBeDefined()
      expect(tf.getKernel(name, "cpu")).toBeUndefined()
    }
  })

  for (const shape of shapes) {
    const c = channelsOf(shape)
    const axes = leadingAxes(shape)
    const x = () => randomTensor(1, shape)
    const dy = () => randomTensor(2, shape)
    const residual = () => randomTensor(3, shape)
    const vec = (seed: number) => () => randomTensor(seed, [c])
    const [scale, offset, center, a, k, cc] = [4, 5, 6, 7, 8, 9].map(vec) as Array<() => tf.Tensor>
    const mask = () => tf.step(tf.relu(tf.add(tf.mul(x(), scale!()), offset!())))
    const g = () => tf.mul(dy(), mask())

    it(`SamlabChannelAffineRelu [${shape.join(", ")}] matches relu(x * scale + offset), and with + residual`, async () => {
      await compare(
        "affine relu",
        names.channelAffineRelu,
        () => [tf.relu(tf.add(tf.mul(x(), scale!()), offset!()))],
        () => ({ x: x(), scale: scale!(), offset: offset!() }),
        elementwise
      )
      await compare(
        "affine add relu",
        names.channelAffineRelu,
        () => [tf.relu(tf.add(tf.add(tf.mul(x(), scale!()), offset!()), residual()))],
        () => ({ x: x(), scale: scale!(), offset: offset!(), residual: residual() }),
        elementwise
      )
    })

    it(`SamlabChannelReluGradSums [${shape.join(", ")}] matches sum(g), sum(g (x - center)) for g = dy step(x scale + offset)`, async () => {
      await compare(
        "relu grad sums",
        names.channelReluGradSums,
        () => [tf.sum(g(), axes), tf.sum(tf.mul(g(), tf.sub(x(), center!())), axes)],
        () => ({ dy: dy(), x: x(), scale: scale!(), offset: offset!(), center: center!() }),
        sums
      )
    })

    it(`SamlabChannelReluAffineGrad [${shape.join(", ")}] matches g * a - x * k + c`, async () => {
      await compare(
        "relu affine grad",
        names.channelReluAffineGrad,
        () => [tf.add(tf.sub(tf.mul(g(), a!()), tf.mul(x(), k!())), cc!())],
        () => ({ dy: dy(), x: x(), scale: scale!(), offset: offset!(), a: a!(), k: k!(), c: cc!() }),
        elementwise
      )
    })
  }

  it("the backward kernels' mask is exactly step of the forward kernel's output, on the ReLU's edge too", async () => {
    const shape = [5, 7, 9, 19]
    const [out] = await evaluateOn("native", () => {
      const scale = randomTensor(11, [19])
      const offset = randomTensor(12, [19])
      // Every third x at -offset / scale, where x * scale + offset rounds to about zero of either sign.
      const edge = tf.div(tf.neg(offset), scale)
      const pick = tf.reshape(tf.equal(tf.mod(tf.range(0, 5 * 7 * 9 * 19), 3), 0), shape)
      const x = tf.where(pick, tf.broadcastTo(edge, shape), randomTensor(13, shape))
      const dy = randomTensor(14, shape)
      const y = runKernelOutputs(names.channelAffineRelu, { x, scale, offset })[0]!
      const viaY = runKernelOutputs("SamlabReluGrad", { dy, y })[0]!
      const [one, zero] = [tf.ones([19]), tf.zeros([19])]
      const viaX = runKernelOutputs(names.channelReluAffineGrad, { dy, x, scale, offset, a: one, k: zero, c: zero })[0]!
      return tf.sub(viaX, viaY)
    })
    expect(Array.from(out!.values).every((v) => v === 0)).toBe(true)
  })

  it("give the same bytes on 1, 2 and 3 threads", async () => {
    const { nativeInfo, setNativeThreads } = await registerNative()
    const threads = nativeInfo().threads
    const shape = [16, 17, 17, 33]
    const run = () =>
      evaluateOn("native", () => {
        const [x, dy, r] = [1, 2, 3].map((s) => randomTensor(s, shape)) as [tf.Tensor, tf.Tensor, tf.Tensor]
        const [scale, offset, center] = [4, 5, 6].map((s) => randomTensor(s, [33])) as [tf.Tensor, tf.Tensor, tf.Tensor]
        return [
          ...runKernelOutputs(names.channelAffineRelu, { x, scale, offset }),
          ...runKernelOutputs(names.channelAffineRelu, { x, scale, offset, residual: r }),
          ...runKernelOutputs(names.channelReluGradSums, { dy, x, scale, offset, center }),
          ...runKernelOutputs(names.channelReluAffineGrad, { dy, x, scale, offset, a: scale, k: offset, c: center })
        ]
      })
    try {
      const runs: Evaluated[][] = []
      for (const n of [1, 2, 3]) {
        setNativeThreads(n)
        runs.push(await run())
      }
      for (const r of runs.slice(1)) r.forEach((e, i) => expect(Array.from(e.values)).toEqual(Array.from(runs[0]![i]!.values)))
    } finally {
      setNativeThreads(threads)
    }
  })

  it("reject what they cannot take with a NativeKernelError", async () => {
    await tf.setBackend("native")
    const { NativeKernelError } = await registerNative()
    tf.tidy(() => {
      const v3 = tf.ones([3])
      expect(() => runKernelOutputs(names.channelAffineRelu, { x: tf.ones([2, 3]), scale: tf.ones([2]), offset: v3 })).toThrow(NativeKernelError)
      expect(() => runKernelOutputs(names.channelAffineRelu, { x: tf.ones([2, 3]), scale: v3, offset: v3, residual: tf.ones([3, 2]) })).toThrow(
        NativeKernelError
      )
      expect(() => runKernelOutputs(names.channelReluGradSums, { dy: tf.ones([2, 3], "int32"), x: tf.ones([2, 3]), scale: v3, offset: v3 })).toThrow(
        NativeKernelError
      )
      expect(() =>
        runKernelOutputs(names.channelReluAffineGrad, { dy: tf.ones([3, 2]), x: tf.ones([2, 3]), scale: v3, offset: v3, a: v3, k: v3, c: v3 })
      ).toThrow(NativeKernelError)
    })
  })

  it("SamlabChannelAffineRelu has a gradient (the composite ops' on cpu)", async () => {
    const shape = [3, 4, 5, 6]
    const grads = (backend: string) =>
      evaluateOn(backend, () => {
        const w = randomTensor(12, shape)
        const f = (xi: tf.Tensor, si: tf.Tensor, oi: tf.Tensor, ri: tf.Tensor): tf.Scalar => {
          const y =
            backend === "native"
              ? runKernelOutputs(names.channelAffineRelu, { x: xi, scale: si, offset: oi, residual: ri })[0]!
              : tf.relu(tf.add(tf.add(tf.mul(xi, si), oi), ri))
          return tf.sum(tf.mul(y, w))
        }
        return tf.grads(f)([randomTensor(10, shape), randomTensor(11, [6]), randomTensor(13, [6]), randomTensor(14, shape)])
      })
    const expected = await grads("cpu")
    const actual = await grads("native")
    actual.forEach((a, i) => expectClose(a, expected[i]!, `gradient ${i}`, { rtol: 1e-4, atol: 1e-5 }))
  })
})

describe.skipIf(!nativeAvailable)("core-tensor's batch norm + ReLU on native", () => {
  const shape: [number, number, number, number] = [8, 6, 6, 7]
  const setup = () => {
    const params = { "bn/gamma": tf.add(randomTensor(20, [7], 0.3), 1), "bn/beta": randomTensor(21, [7], 0.3) }
    const state = { "bn/moving_mean": randomTensor(22, [7]), "bn/moving_var": tf.add(tf.abs(randomTensor(23, [7])), 0.5) }
    return { params, state, x: tf.add(randomTensor(24, shape, 1.5), 0.7), r: randomTensor(26, shape), w: randomTensor(25, shape) }
  }

  /** Output, moving statistics and the gradients of sum(y w) for x, gamma, beta (and the residual). */
  const training = (backend: string, withResidual: boolean) =>
    evaluateOn(backend, () => {
      const { params, state, x, r, w } = setup()
      const newState: Record<string, tf.Tensor> = {}
      const residual = withResidual ? (r as tf.Tensor4D) : undefined
      const y = layers.batchNormRelu(params, state, "bn", x as tf.Tensor4D, true, newState, residual)
      const f = (xi: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, ri: tf.Tensor): tf.Scalar => {
        const p = { "bn/gamma": gamma, "bn/beta": beta }
        const out = layers.batchNormRelu(p, state, "bn", xi as tf.Tensor4D, true, {}, withResidual ? (ri as tf.Tensor4D) : undefined)
        // The residual's gradient is zero when it is unused: add it so every input has one.
        return tf.add(tf.sum(tf.mul(out, w)), tf.sum(tf.mul(ri, 0.5)))
      }
      const grads = tf.grads(f)([x, params["bn/gamma"], params["bn/beta"], r])
      return [y, newState["bn/moving_mean"]!, newState["bn/moving_var"]!, ...grads]
    })

  for (const withResidual of [false, true]) {
    it(`training${withResidual ? " with a residual" : ""}: output, moving statistics and gradients match cpu's (unfused ops)`, async () => {
      // The ops path saves an intermediate in its customGrad, which tfjs's IS_TEST kernel leak check miscounts.
      tf.env().set("IS_TEST", false)
      const expected = await training("cpu", withResidual).finally(() => tf.env().set("IS_TEST", true))
      let actual: Evaluated[] = []
      const calls = await nativeCalls(names.channelAffineRelu, async () => {
        actual = await training("native", withResidual)
      })
      expect(calls.native).toBe(2)
      const what = ["y", "moving_mean", "moving_var", "dx", "dgamma", "dbeta", "dresidual"]
      actual.forEach((a, i) => expectClose(a, expected[i]!, what[i]!, { rtol: 1e-4, atol: 1e-5 }))
    })
  }

  it("evaluation runs batch norm and ReLU as before (no fused kernel), matching cpu's", async () => {
    const evaluation = (backend: string) =>
      evaluateOn(backend, () => {
        const { params, state, x, r } = setup()
        return [layers.batchNormRelu(params, state, "bn", x as tf.Tensor4D, false, {}, r as tf.Tensor4D)]
      })
    const expected = await evaluation("cpu")
    let actual: Evaluated[] = []
    const calls = await nativeCalls(names.channelAffineRelu, async () => {
      actual = await evaluation("native")
    })
    expect(calls.native).toBe(0)
    expectClose(actual[0]!, expected[0]!, "evaluation output", { rtol: 1e-4, atol: 1e-5 })
  })

  it("leaks no tensor over a training step's forward and backward", async () => {
    await tf.setBackend("native")
    const { params, state, x, r, w } = setup()
    for (const residual of [undefined, r as tf.Tensor4D]) {
      await expectNoLeak("batch norm + relu on native", () => {
        const f = (xi: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Scalar => {
          const newState: Record<string, tf.Tensor> = {}
          const y = layers.batchNormRelu({ "bn/gamma": gamma, "bn/beta": beta }, state, "bn", xi as tf.Tensor4D, true, newState, residual)
          tf.dispose(Object.values(newState))
          return tf.sum(tf.mul(y, w))
        }
        const { value, grads } = tf.valueAndGrads(f)([x, params["bn/gamma"], params["bn/beta"]])
        tf.dispose([value, ...grads])
      })
    }
    tf.dispose([...Object.values(params), ...Object.values(state), x, r, w])
  })

  it("a ResNet's training pass (fused units) matches cpu's: logits, new state and every gradient", async () => {
    const model = resnet({ blocks: [1, 1], width: 4, inputShape: [8, 8, 3] })
    const pass = (backend: string) =>
      evaluateOn(backend, () => {
        const params = model.init(new Rng(7))
        const state = model.initState()
        const x = randomTensor(30, [3, 8 * 8 * 3])
        const names = Object.keys(params)
        const f = (...ws: tf.Tensor[]): tf.Scalar => {
          const p = Object.fromEntries(names.map((n, i) => [n, ws[i]!]))
          const out = model.apply(p, x, { training: true, state })
          return tf.sum(tf.mul(out.logits, tf.reshape(tf.range(0, out.logits.size), out.logits.shape)))
        }
        const out = model.apply(params, x, { training: true, state })
        return [out.logits, ...Object.values(out.state), ...tf.grads(f)(names.map((n) => params[n]!))]
      })
    tf.env().set("IS_TEST", false)
    const expected = await pass("cpu").finally(() => tf.env().set("IS_TEST", true))
    let actual: Evaluated[] = []
    const calls = await nativeCalls(names.channelReluAffineGrad, async () => {
      actual = await pass("native")
    })
    // The stem and the two blocks' first units: a ReLU without a residual.
    expect(calls.native).toBe(3)
    actual.forEach((a, i) => expectClose(a, expected[i]!, `output ${i}`, { rtol: 1e-3, atol: 1e-4 }))
  })
})
