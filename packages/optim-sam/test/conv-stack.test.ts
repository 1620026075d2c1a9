import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { type Batch, type ForwardFn, type Params, Rng, disposeParams, expectNoLeak, layers, sgd, smallCnn } from "@samlab/core-tensor"
import { imagePatches } from "../src/conv/patches.js"
import { SamConfigError, type SamVariant, convStack, samFamily } from "../src/index.js"
import { maxRelDiff, trajectory } from "./helpers.js"

const base = () => sgd({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })
const variants: SamVariant[] = ["sam", "lsam", "jsam"]

const seededBatch = (seed: number, batch: number, shape: readonly number[], numClasses: number): Batch => {
  const rng = new Rng(seed).fork("data")
  const size = shape.reduce((a, b) => a * b, 1)
  return {
    x: tf.tensor(rng.normalArray(batch * size), [batch, ...shape]),
    y: tf.tensor1d(
      Int32Array.from({ length: batch }, () => rng.int(numClasses)),
      "int32"
    )
  }
}

/** core-tensor's small CNN at a test size: two 3x3 convs (each ReLU + 2x2 max-pool), a dense layer, the head. */
const cnnProblem = (seed: number, batch: number) => {
  const model = smallCnn({ channels: [4, 5], dense: 6, numClasses: 3, inputShape: [8, 8, 2] })
  const params = model.init(new Rng(seed).fork("init"))
  const forward: ForwardFn = (p, x) => model.apply(p, x, { training: true })
  return { params, forward, batch: seededBatch(seed, batch, [8, 8, 2], 3) }
}

/** A conv stack unlike the small CNN: a 3x3 stride-2 conv without pooling, a 1x1 conv with pooling, tanh, no hidden dense layer. */
const stridedProblem = (seed: number, batch: number) => {
  const rng = new Rng(seed).fork("init")
  const c0 = { size: 3, inChannels: 2, outChannels: 3, stride: 2 }
  const c1 = { size: 1, inChannels: 3, outChannels: 4 }
  // 9x7 -> stride 2: 5x4 -> 1x1: 5x4 -> pool: 2x2
  const params: Params = { ...layers.conv2dInit(rng, "c0", c0), ...layers.conv2dInit(rng, "c1", c1), ...layers.denseInit(rng, "out", 16, 3) }
  const forward: ForwardFn = (p, x) => {
    const h0 = tf.tanh(layers.conv2d(p, "c0", x as tf.Tensor4D, c0))
    const h1 = layers.maxPool2x2(tf.tanh(layers.conv2d(p, "c1", h0, c1)))
    return { logits: layers.dense(p, "out", layers.flatten(h1)) }
  }
  const stack = convStack({
    activation: "tanh",
    convs: [
      { name: "c0", stride: 2, pool: false },
      { name: "c1", pool: true }
    ],
    dense: ["out"]
  })
  return { params, forward, stack, batch: seededBatch(seed + 1, batch, [9, 7, 2], 3) }
}

describe("imagePatches", () => {
  it("times the reshaped kernel is core-tensor's conv2d, for kernel sizes 1, 3, 5 and strides 1, 2, 3", () => {
    const rng = new Rng(7)
    const x = tf.tensor4d(rng.normalArray(2 * 7 * 6 * 3), [2, 7, 6, 3])
    for (const size of [1, 3, 5])
      for (const stride of [1, 2, 3]) {
        const spec = { size, inChannels: 3, outChannels: 4, stride, bias: false }
        const params = layers.conv2dInit(rng.fork(`${size}-${stride}`), "k", spec)
        const want = layers.conv2d(params, "k", x, spec)
        const patches = imagePatches(x, size, stride)
        expect(patches.shape).toEqual([2, want.shape[1], want.shape[2], size * size * 3])
        const got = tf.reshape(tf.matMul(tf.reshape(patches, [-1, size * size * 3]), tf.reshape(params["k/kernel"]!, [size * size * 3, 4])), want.shape)
        expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0], `size ${size} stride ${stride}`).toBeLessThan(1e-5)
        tf.dispose([want, patches, got, ...Object.values(params)])
      }
    x.dispose()
  })
})

describe("batched conv-stack path = chunk loop", () => {
  it("the small CNN: every variant and chunk size, two steps", async () => {
    const pb = cnnProblem(3, 8)
    await expectNoLeak("conv vs loop", () => {
      for (const variant of variants)
        for (const chunkSize of [1, 4, undefined]) {
          const loop = trajectory(samFamily({ rho: 0.3, variant, chunkSize, base: base() }), pb.params, pb.batch, pb.forward, 2)
          const batched = trajectory(samFamily({ rho: 0.3, variant, chunkSize, base: base(), batched: convStack() }), pb.params, pb.batch, pb.forward, 2)
          expect(maxRelDiff(batched.values, loop.values), `${variant} m=${chunkSize}`).toBeLessThan(2e-5)
          batched.losses.forEach((l, i) => expect(l).toBeCloseTo(loop.losses[i]!, 5))
        }
    })
    // the comparison can fail: per-example perturbations move the weights elsewhere than one whole-batch perturbation
    const whole = trajectory(samFamily({ rho: 0.3, base: base() }), pb.params, pb.batch, pb.forward, 2)
    const perExample = trajectory(samFamily({ rho: 0.3, chunkSize: 1, base: base(), batched: convStack() }), pb.params, pb.batch, pb.forward, 2)
    expect(maxRelDiff(perExample.values, whole.values)).toBeGreaterThan(1e-3)
    disposeParams(pb.params)
    tf.dispose([pb.batch.x, pb.batch.y])
  })

  it("stride 2, a 1x1 convolution, tanh and no hidden dense layer; flat inputs read with inputShape", () => {
    const pb = stridedProblem(5, 6)
    for (const variant of variants)
      for (const chunkSize of [1, 3]) {
        const loop = trajectory(samFamily({ rho: 0.5, variant, chunkSize, base: base() }), pb.params, pb.batch, pb.forward, 2)
        const batched = trajectory(samFamily({ rho: 0.5, variant, chunkSize, base: base(), batched: pb.stack }), pb.params, pb.batch, pb.forward, 2)
        expect(maxRelDiff(batched.values, loop.values), `${variant} m=${chunkSize}`).toBeLessThan(2e-5)
      }
    const flat = { x: tf.reshape(pb.batch.x, [6, -1]), y: pb.batch.y }
    const flatStack = convStack({ ...pb.stack, inputShape: [9, 7, 2] })
    const fromFlat = trajectory(samFamily({ rho: 0.5, chunkSize: 1, base: base(), batched: flatStack }), pb.params, flat, pb.forward, 1)
    const fromImages = trajectory(samFamily({ rho: 0.5, chunkSize: 1, base: base(), batched: pb.stack }), pb.params, pb.batch, pb.forward, 1)
    expect(fromFlat.values).toEqual(fromImages.values)
    disposeParams(pb.params)
    tf.dispose([pb.batch.x, pb.batch.y, flat.x])
  })
})

describe("conv stack errors", () => {
  const step = (params: Params, batch: Batch, stack = convStack()) => {
    const method = samFamily({ rho: 0.1, chunkSize: 1, base: sgd({ lr: 0.1 }), batched: stack })
    return () => method.step(params, method.init(params), batch, () => ({ logits: tf.zeros([1, 1]) }), 3)
  }

  it("name the param and the step, and leave the params as they were", () => {
    const pb = cnnProblem(1, 4)
    const extra = { ...pb.params, stray: tf.zeros([2]) }
    expect(step(extra, pb.batch)).toThrow(SamConfigError)
    expect(step(extra, pb.batch)).toThrow(/step 3: batched params \[stray\] are not part of the conv stack \[conv_0, conv_1, dense_0, head\]/)
    const swapped = { ...pb.params, "conv_1/kernel": tf.zeros([3, 3, 5, 5]) }
    expect(step(swapped, pb.batch)).toThrow(/"conv_1\/kernel" takes 5 channels but "conv_0" gives 4/)
    expect(step(pb.params, { x: tf.zeros([4, 128]), y: pb.batch.y })).toThrow(
      /NHWC images \[batch, h, w, c\] \(or flat inputs with convStack\(\{ inputShape \}\)\), got \[4,128\]/
    )
    expect(step(pb.params, { x: tf.zeros([4, 12, 12, 2]), y: pb.batch.y })).toThrow(
      /"dense_0\/kernel" takes 20 inputs but the convolutions give 45 \(\[3,3,5\] flattened\)/
    )
    expect(() => convStack({ convs: [{ name: "c", stride: 0 }] })).toThrow(/convs\[0\]\.stride must be a positive integer/)
    expect(() => convStack({ inputShape: [8, 8] })).toThrow(/inputShape must be \[height, width, channels\]/)
    expect(() => samFamily({ rho: 0.1, base: sgd({ lr: 0.1 }), batched: convStack(), adaptive: true })).toThrow(/does not support adaptive/)
    const oldName = { rho: 0.1, base: sgd({ lr: 0.1 }), dense: convStack() } as unknown as Parameters<typeof samFamily>[0]
    expect(() => samFamily(oldName)).toThrow(/dense is now "batched"/)
    expect(pb.params["conv_0/kernel"]!.isDisposed).toBe(false)
    disposeParams(pb.params)
  })
})
