import * as tf from "@tensorflow/tfjs-core"
import { Rng, expectNoLeak, layers, resnet } from "@samlab/core-tensor"
import { beforeAll, describe, expect, it } from "vitest"
import { type Evaluated, evaluateOn, expectClose, nativeAvailable, nativeCalls, randomTensor, registerNative, runKernelOutputs, channelsOf } from "./support.js"

const names = { batchNormTrain: "SamlabBatchNormTrain", batchNormTrainGrad: "SamlabBatchNormTrainGrad" } as const
const epsilon = 1e-5
const momentum = 0.1

// Two rows at least (training needs them), channel counts off the SIMD widths, batch 1, and
// tensors large enough to be split across threads (over 2^17 elements) and over several
// reduction chunks.
const shapes: number[][] = [
  [1, 1, 2, 1],
  [1, 3, 3, 5],
  [2, 3, 5, 7],
  [1031, 5],
  [9, 33, 29, 16],
  [16, 17, 17, 33],
  [2, 4, 4, 130]
]

// The addon rounds mean, variance and the per-channel coefficients to float32 once each
// (taken in double), cpu's ops round every step and sum in float32 over up to ~150k values:
// outputs of order 1 agree to ~1e-5; gradients, where the closed form cancels the mean terms,
// to ~1e-4 of the largest term.
const forwardTol = { rtol: 1e-4, atol: 1e-5 }
const gradTol = { rtol: 1e-3, atol: 1e-4 }

interface Data {
  x: tf.Tensor
  gamma: tf.Tensor
  beta: tf.Tensor
  movingMean: tf.Tensor
  movingVar: tf.Tensor
  residual: tf.Tensor
  dy: tf.Tensor
}

const data = (shape: number[]): Data => {
  const c = channelsOf(shape)
  return {
    x: tf.add(randomTensor(1, shape, 1.5), 0.7),
    gamma: tf.add(randomTensor(2, [c], 0.3), 1),
    beta: randomTensor(3, [c], 0.3),
    movingMean: randomTensor(4, [c]),
    movingVar: tf.add(tf.abs(randomTensor(5, [c])), 0.5),
    residual: randomTensor(6, shape),
    dy: randomTensor(7, shape)
  }
}

/** The forward as tfjs ops (differentiable through the moments): [y, mean, variance, new moving mean, new moving var]. */
const reference = (d: Data, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, relu: boolean, residual: boolean): tf.Tensor[] => {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i)
  const { mean, variance } = tf.moments(x, axes)
  const n = x.size / x.shape[x.rank - 1]!
  let y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), gamma), beta)
  if (residual) y = tf.add(y, d.residual)
  if (relu) y = tf.relu(y)
  const newMean = tf.add(tf.mul(d.movingMean, 1 - momentum), tf.mul(mean, momentum))
  const newVar = tf.add(tf.mul(d.movingVar, 1 - momentum), tf.mul(variance, (momentum * n) / (n - 1)))
  return [y, mean, variance, newMean, newVar]
}

const forwardKernel = (d: Data, relu: boolean, residual: boolean): tf.Tensor[] =>
  tf
    .engine()
    .runKernel(
      names.batchNormTrain,
      { x: d.x, gamma: d.gamma, beta: d.beta, movingMean: d.movingMean, movingVar: d.movingVar, ...(residual ? { residual: d.residual } : {}) },
      { relu, epsilon, momentum }
    ) as tf.Tensor[]

const backwardKernel = (d: Data, dy: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, relu: boolean): tf.Tensor[] =>
  tf.engine().runKernel(names.batchNormTrainGrad, { dy, x: d.x, gamma: d.gamma, beta: d.beta, mean, variance }, { relu, epsilon }) as tf.Tensor[]

describe.skipIf(!nativeAvailable)("native batch-norm training kernels", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("are registered for native only, under the names core-tensor's batch norm calls", async () => {
    const { batchNormTrainKernelNames } = await registerNative()
    expect(batchNormTrainKernelNames).toEqual(names)
    expect(layers.batchNormTrainKernelNames).toEqual(names)
    for (const name of Object.values(names)) {
      expect(tf.getKernel(name, "native")).toBeDefined()
      expect(tf.getKernel(name, "cpu")).toBeUndefined()
    }
  })

  for (const shape of shapes) {
    for (const [relu, residual] of [
      [false, false],
      [true, false],
      [true, true]
    ] as const) {
      const form = `${relu ? "relu(" : ""}bn(x)${residual ? " + residual" : ""}${relu ? ")" : ""}`
      it(`SamlabBatchNormTrain [${shape.join(", ")}] ${form}: output, batch and moving statistics match the ops`, async () => {
        const expected = await evaluateOn("cpu", () => {
          const d = data(shape)
          return reference(d, d.x, d.gamma, d.beta, relu, residual)
        })
        const calls = await nativeCalls(names.batchNormTrain, async () => {
          const actual = await evaluateOn("native", () => forwardKernel(data(shape), relu, residual))
          const what = ["y", "mean", "variance", "moving mean", "moving var"]
          actual.forEach((a, i) => expectClose(a, expected[i]!, `${form} ${what[i]}`, forwardTol))
        })
        expect(calls.native).toBe(1)
      })
    }
    for (const relu of [false, true]) {
      it(`SamlabBatchNormTrainGrad [${shape.join(", ")}]${relu ? " with relu" : ""}: dx, dgamma, dbeta match the ops' gradient`, async () => {
        const expected = await evaluateOn("cpu", () => {
          const d = data(shape)
          const f = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Scalar => tf.sum(tf.mul(reference(d, x, gamma, beta, relu, false)[0]!, d.dy))
          return tf.grads(f)([d.x, d.gamma, d.beta])
        })
        const calls = await nativeCalls(names.batchNormTrainGrad, async () => {
          const actual = await evaluateOn("native", () => {
            const d = data(shape)
            const [, mean, variance] = forwardKernel(d, relu, false)
            return backwardKernel(d, d.dy, mean!, variance!, relu)
          })
          actual.forEach((a, i) => expectClose(a, expected[i]!, ["dx", "dgamma", "dbeta"][i]!, gradTol))
        })
        expect(calls.native).toBe(1)
      })
    }
  }

  it("the backward's ReLU mask read from x is exactly step of the forward's output", async () => {
    const shape = [6, 11, 13, 19]
    const [diff] = await evaluateOn("native", () => {
      const d = data(shape)
      const [y, mean, variance] = forwardKernel(d, true, false)
      const viaX = backwardKernel(d, d.dy, mean!, variance!, true)
      const viaY = backwardKernel(d, runKernelOutputs("SamlabReluGrad", { dy: d.dy, y: y! })[0]!, mean!, variance!, false)
      return tf.concat(viaX.map((t, i) => tf.reshape(tf.sub(t, viaY[i]!), [-1])))
    })
    expect(Array.from(diff!.values).every((v) => v === 0)).toBe(true)
  })

  it("give the same bytes on 1, 2 and 3 threads", async () => {
    const { nativeInfo, setNativeThreads } = await registerNative()
    const threads = nativeInfo().threads
    const shape = [16, 17, 17, 33]
    const run = () =>
      evaluateOn("native", () => {
        const d = data(shape)
        const plain = forwardKernel(d, false, false)
        const withRelu = forwardKernel(d, true, false)
        return [
          ...plain,
          ...withRelu,
          ...forwardKernel(d, true, true),
          ...backwardKernel(d, d.dy, plain[1]!, plain[2]!, false),
          ...backwardKernel(d, d.dy, withRelu[1]!, withRelu[2]!, true)
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
      const base = { x: tf.ones([2, 3]), gamma: v3, beta: v3, movingMean: v3, movingVar: v3 }
      const attrs = { relu: true, epsilon, momentum }
      const run =
        (inputs: tf.NamedTensorMap, a: tf.NamedTensorMap | object = attrs) =>
        () =>
          tf.engine().runKernel(names.batchNormTrain, inputs, a as never)
      expect(run({ ...base, gamma: tf.ones([2]) })).toThrow(NativeKernelError)
      expect(run({ ...base, residual: tf.ones([3, 2]) })).toThrow(NativeKernelError)
      expect(run({ ...base, residual: tf.ones([2, 3]) }, { ...attrs, relu: false })).toThrow(NativeKernelError)
      expect(run(base, { epsilon, momentum })).toThrow(NativeKernelError)
      expect(run(base, { ...attrs, momentum: 2 })).toThrow(NativeKernelError)
      expect(run({ ...base, x: tf.ones([2, 3], "int32") })).toThrow(NativeKernelError)
      const grad = { dy: tf.ones([3, 2]), x: tf.ones([2, 3]), gamma: v3, beta: v3, mean: v3, variance: v3 }
      expect(() => tf.engine().runKernel(names.batchNormTrainGrad, grad, { relu: false, epsilon })).toThrow(NativeKernelError)
    })
  })
})

describe.skipIf(!nativeAvailable)("core-tensor's batch norm and batch norm + ReLU on native's training kernels", () => {
  const shape: [number, number, number, number] = [8, 6, 6, 7]
  const setup = () => {
    const params = { "bn/gamma": tf.add(randomTensor(20, [7], 0.3), 1), "bn/beta": randomTensor(21, [7], 0.3) }
    const state = { "bn/moving_mean": randomTensor(22, [7]), "bn/moving_var": tf.add(tf.abs(randomTensor(23, [7])), 0.5) }
    return { params, state, x: tf.add(randomTensor(24, shape, 1.5), 0.7), r: randomTensor(26, shape), w: randomTensor(25, shape) }
  }
  type Form = "bn" | "relu" | "residual"
  const layer = (
    form: Form,
    p: Record<string, tf.Tensor>,
    state: Record<string, tf.Tensor>,
    x: tf.Tensor,
    r: tf.Tensor,
    newState: Record<string, tf.Tensor>
  ) =>
    form === "bn"
      ? layers.batchNorm(p, state, "bn", x as tf.Tensor4D, true, newState)
      : layers.batchNormRelu(p, state, "bn", x as tf.Tensor4D, true, newState, form === "residual" ? (r as tf.Tensor4D) : undefined)

  /** Output, moving statistics and the gradients of sum(y w) for x, gamma, beta and the residual. */
  const training = (backend: string, form: Form) =>
    evaluateOn(backend, () => {
      const { params, state, x, r, w } = setup()
      const newState: Record<string, tf.Tensor> = {}
      const y = layer(form, params, state, x, r, newState)
      const f = (xi: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, ri: tf.Tensor): tf.Scalar =>
        // ri * 0.5 gives the residual a gradient where the form does not use it.
        tf.add(tf.sum(tf.mul(layer(form, { "bn/gamma": gamma, "bn/beta": beta }, state, xi, ri, {}), w)), tf.sum(tf.mul(ri, 0.5)))
      const grads = tf.grads(f)([x, params["bn/gamma"], params["bn/beta"], r])
      return [y, newState["bn/moving_mean"]!, newState["bn/moving_var"]!, ...grads]
    })

  for (const form of ["bn", "relu", "residual"] as const) {
    it(`training (${form}): output, moving statistics and gradients match cpu's ops`, async () => {
      // The ops path saves an intermediate in its customGrad, which tfjs's IS_TEST kernel leak check miscounts.
      tf.env().set("IS_TEST", false)
      const expected = await training("cpu", form).finally(() => tf.env().set("IS_TEST", true))
      let actual: Evaluated[] = []
      const calls = await nativeCalls(names.batchNormTrainGrad, async () => {
        actual = await training("native", form)
      })
      expect(calls.native).toBe(1)
      const what = ["y", "moving_mean", "moving_var", "dx", "dgamma", "dbeta", "dresidual"]
      actual.forEach((a, i) => expectClose(a, expected[i]!, `${form} ${what[i]}`, gradTol))
    })
  }

  it("evaluation runs as before (no training kernel), matching cpu's", async () => {
    const evaluation = (backend: string) =>
      evaluateOn(backend, () => {
        const { params, state, x, r } = setup()
        return [layers.batchNormRelu(params, state, "bn", x as tf.Tensor4D, false, {}, r as tf.Tensor4D)]
      })
    const expected = await evaluation("cpu")
    let actual: Evaluated[] = []
    const calls = await nativeCalls(names.batchNormTrain, async () => {
      actual = await evaluation("native")
    })
    expect(calls.native).toBe(0)
    expectClose(actual[0]!, expected[0]!, "evaluation output", forwardTol)
  })

  it("leaks no tensor over a training step's forward and backward", async () => {
    await tf.setBackend("native")
    const { params, state, x, r, w } = setup()
    for (const form of ["bn", "relu", "residual"] as const) {
      await expectNoLeak(`batch norm (${form}) on native`, () => {
        const f = (xi: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Scalar => {
          const newState: Record<string, tf.Tensor> = {}
          const y = layer(form, { "bn/gamma": gamma, "bn/beta": beta }, state, xi, r, newState)
          tf.dispose(Object.values(newState))
          return tf.sum(tf.mul(y, w))
        }
        const { value, grads } = tf.valueAndGrads(f)([x, params["bn/gamma"], params["bn/beta"]])
        tf.dispose([value, ...grads])
      })
    }
    tf.dispose([...Object.values(params), ...Object.values(state), x, r, w])
  })

  it("a ResNet's training pass matches cpu's: logits, new state and every gradient", async () => {
    const model = resnet({ blocks: [1, 1], width: 4, inputShape: [8, 8, 3] })
    const pass = (backend: string) =>
      evaluateOn(backend, () => {
        const params = model.init(new Rng(7))
        const state = model.initState()
        const x = randomTensor(30, [3, 8 * 8 * 3])
        const keys = Object.keys(params)
        const f = (...ws: tf.Tensor[]): tf.Scalar => {
          const out = model.apply(Object.fromEntries(keys.map((k, i) => [k, ws[i]!])), x, { training: true, state })
          return tf.sum(tf.mul(out.logits, tf.reshape(tf.range(0, out.logits.size), out.logits.shape)))
        }
        const out = model.apply(params, x, { training: true, state })
        return [out.logits, ...Object.values(out.state), ...tf.grads(f)(keys.map((k) => params[k]!))]
      })
    tf.env().set("IS_TEST", false)
    const expected = await pass("cpu").finally(() => tf.env().set("IS_TEST", true))
    let actual: Evaluated[] = []
    const calls = await nativeCalls(names.batchNormTrain, async () => {
      actual = await pass("native")
    })
    // Six batch norms (stem, two per block, one shortcut), in the pass and in its gradient's.
    expect(calls.native).toBe(12)
    actual.forEach((a, i) => expectClose(a, expected[i]!, `output ${i}`, { rtol: 1e-3, atol: 1e-4 }))
  })
})
