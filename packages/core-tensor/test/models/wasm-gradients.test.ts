import * as tf from "@tensorflow/tfjs-core"
import { afterAll, describe, expect, it } from "vitest"
import { type Model, Rng, disposeParams, layers, mlp, resnet18, selectBackend, smallCnn } from "../../src/index.js"
import { hasNativeConvFilterGradient, hasSlowTransposedMatMul, matMulPortableGrad } from "../../src/models/layers/backend-quirks.js"
import { rowChunks } from "../../src/models/layers/conv2d-portable.js"
import { expectAllClose } from "./helpers.js"

afterAll(async () => {
  await selectBackend({ backend: "cpu", log: () => {} })
})

/**
 * Mean cross-entropy with an int32 one-hot cast to float: tfjs-backend-wasm 4.22's OneHot
 * kernel ignores a float32 dtype (it writes int32 bits into a float32 tensor).
 */
const crossEntropy = (logits: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar =>
  tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(tf.logSoftmax(logits), tf.cast(tf.oneHot(y, logits.shape[1]), "float32")), 1)))

describe("portable gradients for wasm (no Conv2DBackpropFilter, slow transposed matMul) and webgpu (slow Conv2DBackpropFilter)", () => {
  it.each(["swapped-conv", "im2col"] as const)(
    "has the value and gradients of tf.conv2d (filter gradient by %s): 3x3 stride 1 and 2 (even and odd sizes), 1x1 stride 1 and 2, rows split in chunks",
    (method) => {
      const rng = new Rng(1)
      for (const [batch, size, k, stride, inC, outC] of [
        [2, 6, 3, 1, 2, 3],
        [2, 8, 3, 2, 2, 3],
        [2, 7, 3, 2, 3, 2],
        [2, 8, 1, 2, 3, 4],
        [2, 5, 1, 1, 2, 3],
        // 2048 rows: im2col sums 8 chunks of 256
        [8, 16, 3, 1, 4, 5]
      ] as const) {
        const pad = (k - 1) / 2
        const x = tf.tensor4d(rng.normalArray(batch * size * size * inC), [batch, size, size, inC])
        const f = tf.tensor4d(rng.normalArray(k * k * inC * outC), [k, k, inC, outC])
        const native = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)
        const portable = (a: tf.Tensor, b: tf.Tensor) => layers.conv2dPortableGrad(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad, method)
        // A non-uniform readout so every output position weighs differently.
        const outShape = native(x, f).shape
        const w = tf.tensor(rng.normalArray(outShape.reduce((a, b) => a * b, 1)), outShape)
        const loss = (conv: typeof native) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), w))
        const [gxN, gfN] = tf.grads(loss(native))([x, f])
        const [gxP, gfP] = tf.grads(loss(portable))([x, f])
        expect(portable(x, f).arraySync()).toEqual(native(x, f).arraySync())
        expectAllClose(gxP!.dataSync(), gxN!.dataSync(), 1e-5, 1e-5)
        expectAllClose(gfP!.dataSync(), gfN!.dataSync(), 1e-4, 1e-5)
        tf.dispose([x, f, w, gxN!, gfN!, gxP!, gfP!])
      }
    }
  )

  it("splits the im2col product's rows into enough chunks to fill a GPU, each of 256 rows or more, dividing the rows", () => {
    // layer 1 of ResNet-18 at batch 128: [576, 64] is 36 tiles; 64 chunks of 2048 rows give 2304
    expect(rowChunks(128 * 32 * 32, 576, 64)).toBe(64)
    // the last stage: [4608, 512] is 2304 tiles already
    expect(rowChunks(128 * 4 * 4, 4608, 512)).toBe(1)
    // the first conv (3 channels): stops at 256 rows per chunk
    expect(rowChunks(2048, 27, 64)).toBe(8)
    // an odd row count is never split
    expect(rowChunks(9 * 9 * 7, 27, 64)).toBe(1)
  })

  it("matMulPortableGrad has the value and gradients of tf.matMul", () => {
    const rng = new Rng(2)
    const a = tf.tensor2d(rng.normalArray(5 * 4), [5, 4])
    const b = tf.tensor2d(rng.normalArray(4 * 3), [4, 3])
    const w = tf.tensor2d(rng.normalArray(5 * 3), [5, 3])
    const loss = (mm: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(mm(x as tf.Tensor2D, y as tf.Tensor2D), w))
    const native = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b])
    const portable = tf.grads(loss(matMulPortableGrad))([a, b])
    expect(matMulPortableGrad(a, b).arraySync()).toEqual(tf.matMul(a, b).arraySync())
    native.forEach((g, i) => expectAllClose(portable[i]!.dataSync(), g.dataSync(), 1e-6, 1e-6))
    tf.dispose([a, b, w, ...native, ...portable])
  })

  it("makes the MLP, CNN and ResNet trainable on wasm, with the gradients found on cpu", async () => {
    const gradsOn = (model: Model) => {
      const rng = new Rng(3)
      const params = model.init(rng.fork("init"))
      const state = model.initState()
      const x = tf.tensor(rng.fork("x").normalArray(4 * 8 * 8 * 3), [4, 8, 8, 3])
      const y = tf.tensor1d([0, 1, 2, 1], "int32")
      const names = Object.keys(params)
      const grads = tf.grads((...ws: tf.Tensor[]) =>
        crossEntropy(model.apply(Object.fromEntries(names.map((n, i) => [n, ws[i]!])), x, { training: true, state }).logits, y)
      )(names.map((n) => params[n]!))
      const host = grads.map((g) => Float32Array.from(g.dataSync() as Float32Array))
      tf.dispose([...grads, x, y])
      disposeParams(params, state)
      return host
    }
    const models = [
      mlp({ inputDim: 192, hidden: [6], numClasses: 3 }),
      smallCnn({ numClasses: 3, channels: [3, 4], dense: 5, inputShape: [8, 8, 3] }),
      resnet18({ numClasses: 3, width: 2, inputShape: [8, 8, 3] })
    ]
    const onCpu = models.map(gradsOn)
    await selectBackend({ backend: "wasm", log: () => {} })
    expect(hasNativeConvFilterGradient()).toBe(false)
    expect(hasSlowTransposedMatMul()).toBe(true)
    const onWasm = models.map(gradsOn)
    await selectBackend({ backend: "cpu", log: () => {} })
    // Float rounding differs between the backends (and batch norm over few values amplifies
    // it), so compare each gradient tensor relative to its largest entry.
    onCpu.forEach((gs, m) =>
      gs.forEach((g, i) => {
        const scale = g.reduce((a, v) => Math.max(a, Math.abs(v)), 0)
        expect(scale).toBeGreaterThan(0)
        expectAllClose(onWasm[m]![i]!, g, 1e-3 * scale, 0)
      })
    )
  })
})
