import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import {
  type Model,
  type Params,
  Rng,
  disposeParams,
  layers,
  missingTrainingKernels,
  mlp,
  perExampleCrossEntropy,
  resnet18,
  smallCnn,
  valueAndGradParams
} from "../../src/index.js"
import { expectCloseToCpu, hostOn, skipWithReason, webgpuUnavailable } from "./on-webgpu.js"

const unavailable = await webgpuUnavailable()

/** The loss every method builds on (mean per-example cross-entropy) plus the regularizer's terms (feature and head norms). */
const lossAndGrads = (model: Model, params: Params, x: tf.Tensor, y: tf.Tensor1D): tf.Tensor[] => {
  const state = model.initState()
  let logits: tf.Tensor | undefined
  let newState: Params | undefined
  const { value, grads } = valueAndGradParams((p) => {
    const out = model.apply(p, x, { training: true, state })
    logits = tf.keep(out.logits)
    newState = out.state
    if (newState) for (const t of Object.values(newState)) tf.keep(t)
    const ce = tf.mean(perExampleCrossEntropy(out.logits, y))
    const features = tf.mean(tf.sum(tf.square(out.features), 1))
    const head = tf.sum(tf.square(p[model.headWeight]!))
    return tf.addN([ce, tf.mul(1e-2, features), tf.mul(1e-2, head)]) as tf.Scalar
  }, params)
  const out = [value, logits!, ...Object.values(grads), ...Object.values(newState ?? {})]
  disposeParams(state)
  return out
}

const cases: Array<{ name: string; model: () => Model; shape: number[] }> = [
  { name: "mlp", model: () => mlp({ inputDim: 48, hidden: [16, 16], numClasses: 10 }), shape: [4, 4, 4, 3] },
  { name: "small cnn", model: () => smallCnn({ channels: [4, 8, 8], dense: 16, inputShape: [8, 8, 3] }), shape: [3, 8, 8, 3] },
  { name: "resnet18 (batch norm, strided and 1x1 convs)", model: () => resnet18({ width: 2, inputShape: [16, 16, 3] }), shape: [4, 16, 16, 3] }
]

if (unavailable !== undefined) skipWithReason(unavailable)

describe.skipIf(unavailable !== undefined)("webgpu kernels against the cpu backend (SwiftShader, small shapes)", () => {
  it("registers every kernel a training step runs, and keeps small inputs off tfjs's cpu kernels", () => {
    expect(missingTrainingKernels("webgpu")).toEqual([])
    expect(tf.env().getBool("WEBGPU_CPU_FORWARD")).toBe(false)
  })

  for (const c of cases) {
    it(`${c.name}: loss, logits, every gradient and batch-norm state`, async () => {
      await tf.setBackend("cpu")
      const rng = new Rng(3)
      const model = c.model()
      const params = model.init(rng.fork("init"))
      const x = tf.tensor(rng.fork("x").normalArray(c.shape.reduce((a, b) => a * b)), c.shape)
      const y = tf.tensor1d(
        Array.from({ length: c.shape[0]! }, (_, i) => (3 * i + 1) % 10),
        "int32"
      )
      const cpu = await hostOn("cpu", () => lossAndGrads(model, params, x, y))
      const gpu = await hostOn("webgpu", () => lossAndGrads(model, params, x, y))
      expectCloseToCpu(gpu, cpu, c.name)
      disposeParams(params)
      tf.dispose([x, y])
    })
  }

  it("sums more tensors than one shader can bind (AddN over ResNet-18's 62 parameters, in globalNorm), freeing its group sums", async () => {
    const sum = () => tf.addN(Array.from({ length: 62 }, (_, i) => tf.tensor1d([i + 1, -2 * i, 0.5])))
    expectCloseToCpu(await hostOn("webgpu", sum), await hostOn("cpu", sum), "addN of 62")
    await tf.setBackend("webgpu")
    const dataIds = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds()
    const before = dataIds()
    tf.tidy(() => sum().dataSync())
    expect(dataIds()).toBe(before)
  })

  it("strided convolutions with explicit padding and max-pooling, forward and backward", async () => {
    const rng = new Rng(5)
    const x = tf.tensor4d(rng.normalArray(2 * 9 * 9 * 3), [2, 9, 9, 3])
    const w = tf.tensor4d(rng.normalArray(3 * 3 * 3 * 5), [3, 3, 3, 5])
    const f = (): tf.Tensor[] => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.square(
            tf.maxPool(
              tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, [
                [0, 0],
                [1, 1],
                [1, 1],
                [0, 0]
              ]),
              2,
              2,
              "valid"
            )
          )
        )
      )
      return [
        tf.conv2d(x, w, 2, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0]
        ]),
        ...g([x, w])
      ]
    }
    expectCloseToCpu(await hostOn("webgpu", f), await hostOn("cpu", f), "conv + pool")
    tf.dispose([x, w])
  })

  it("takes a conv's filter gradient as a chunked im2col product, close to cpu's and bitwise the same on a second run", async () => {
    const rng = new Rng(6)
    // 8 x 8 x 8 = 512 rows: two chunks of 256
    const x = tf.tensor4d(rng.normalArray(8 * 8 * 8 * 3), [8, 8, 8, 3])
    const w = tf.tensor4d(rng.normalArray(3 * 3 * 3 * 4), [3, 3, 3, 4])
    const f = (): tf.Tensor[] => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(layers.conv2dPortableGrad(a as tf.Tensor4D, b as tf.Tensor4D, 1, 1, "im2col"))))
      return g([x, w])
    }
    const first = await hostOn("webgpu", f)
    expectCloseToCpu(first, await hostOn("cpu", f), "im2col conv gradients")
    expect(await hostOn("webgpu", f)).toEqual(first)
    tf.dispose([x, w])
  })
})
