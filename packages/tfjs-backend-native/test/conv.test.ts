import * as tf from "@tensorflow/tfjs-core"
import { beforeAll, describe, expect, it } from "vitest"
import { requireAddon } from "../src/addon.js"
import { usesWinograd } from "../src/kernels/conv.js"
import { evaluateOn, expectClose, expectSameAsCpu, nativeAvailable, nativeCalls, randomTensor, registerNative } from "./support.js"

type Pad = "valid" | "same" | number | [[0, 0], [number, number], [number, number], [0, 0]]

interface ConvCase {
  readonly name: string
  readonly x: [number, number, number, number]
  readonly filter: [number, number, number, number]
  readonly strides: number | [number, number]
  readonly pad: Pad
  readonly dilations?: number | [number, number]
}

// Odd sizes, every padding kind, strides, rectangular filters; all small enough for the cpu reference.
const cases: ConvCase[] = [
  { name: "3x3 same", x: [2, 9, 11, 5], filter: [3, 3, 5, 7], strides: 1, pad: "same" },
  { name: "3x3 valid", x: [2, 9, 11, 5], filter: [3, 3, 5, 7], strides: 1, pad: "valid" },
  { name: "1x1 pointwise", x: [3, 6, 5, 8], filter: [1, 1, 8, 13], strides: 1, pad: "valid" },
  { name: "5x3 stride 2 same", x: [2, 13, 10, 3], filter: [5, 3, 3, 6], strides: 2, pad: "same" },
  { name: "3x3 stride (2,1) valid", x: [1, 12, 9, 4], filter: [3, 3, 4, 5], strides: [2, 1], pad: "valid" },
  {
    name: "4x4 stride 3 explicit pad",
    x: [2, 11, 12, 3],
    filter: [4, 4, 3, 4],
    strides: 3,
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0]
    ]
  },
  { name: "3x3 numeric pad 1", x: [2, 7, 7, 6], filter: [3, 3, 6, 9], strides: 1, pad: 1 },
  { name: "2x2 even filter same", x: [1, 8, 7, 5], filter: [2, 2, 5, 3], strides: 1, pad: "same" },
  { name: "3x3 wide channels", x: [1, 6, 6, 33], filter: [3, 3, 33, 17], strides: 1, pad: "same" },
  // Narrow outputs (at most 16 channels per panel; AVX-512's in-place stride-1 path): odd image sizes,
  // channel counts that are not multiples of the SIMD width, both paddings, strides 1 and 2.
  { name: "3x3 16->16 same (narrow, in place)", x: [3, 9, 11, 16], filter: [3, 3, 16, 16], strides: 1, pad: "same" },
  { name: "3x3 5->13 valid (narrow)", x: [2, 10, 7, 5], filter: [3, 3, 5, 13], strides: 1, pad: "valid" },
  { name: "3x3 7->48 same (three narrow panels)", x: [2, 6, 5, 7], filter: [3, 3, 7, 48], strides: 1, pad: "same" },
  { name: "3x3 16->16 stride 2 same", x: [2, 11, 9, 16], filter: [3, 3, 16, 16], strides: 2, pad: "same" },
  { name: "3x3 12->16 stride 2 valid", x: [2, 9, 12, 12], filter: [3, 3, 12, 16], strides: 2, pad: "valid" },
  { name: "1x1 16->16 pointwise (narrow)", x: [2, 5, 7, 16], filter: [1, 1, 16, 16], strides: 1, pad: "valid" },
  { name: "2x2 11->9 even filter same (narrow)", x: [2, 8, 7, 11], filter: [2, 2, 11, 9], strides: 1, pad: "same" },
  {
    name: "5x4 16->8 explicit asymmetric pad (narrow)",
    x: [1, 9, 10, 16],
    filter: [5, 4, 16, 8],
    strides: 1,
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0]
    ]
  },
  { name: "3x3 3->16 same, 33x31 (stem-like, narrow)", x: [2, 33, 31, 3], filter: [3, 3, 3, 16], strides: 1, pad: "same" },
  // Images of at least 256 padded output pixels: the in-place filter gradient, narrow (24x16) and wide (12x32).
  { name: "3x3 16->16 same, 17x19", x: [3, 17, 19, 16], filter: [3, 3, 16, 16], strides: 1, pad: "same" },
  { name: "3x3 32->37 same, 16x16 (wide)", x: [1, 16, 16, 32], filter: [3, 3, 32, 37], strides: 1, pad: "same" },
  { name: "3x3 9->32 valid, 18x17 (wide)", x: [2, 18, 17, 9], filter: [3, 3, 9, 32], strides: 1, pad: "valid" },
  // Wide outputs read in place (12x32 tile, outputs at least 14 wide), channels not multiples of 16.
  { name: "3x3 35->70 same, 15x17 (wide, in place)", x: [2, 15, 17, 35], filter: [3, 3, 35, 70], strides: 1, pad: "same" },
  { name: "3x3 33->65 valid, 18x20 (wide, in place)", x: [1, 18, 20, 33], filter: [3, 3, 33, 65], strides: 1, pad: "valid" },
  // The filter gradient in groups of 8 images (288 padded pixels each), the last group short.
  { name: "3x3 8->33 same, 16x16, batch 10 (filter gradient groups)", x: [10, 16, 16, 8], filter: [3, 3, 8, 33], strides: 1, pad: "same" },
  // Strided input gradients by phases (at least 8 input channels): odd and even sizes, batch 1,
  // 1x1 shortcuts (phases no tap reaches), stride 3, mixed strides, filters smaller than the stride.
  { name: "3x3 8->12 stride 2 same, batch 1", x: [1, 9, 9, 8], filter: [3, 3, 8, 12], strides: 2, pad: "same" },
  { name: "3x3 20->9 stride 2 same, 10x11", x: [2, 10, 11, 20], filter: [3, 3, 20, 9], strides: 2, pad: "same" },
  { name: "1x1 16->24 stride 2 (shortcut)", x: [2, 8, 9, 16], filter: [1, 1, 16, 24], strides: 2, pad: "valid" },
  { name: "5x5 9->5 stride 3 same", x: [1, 13, 11, 9], filter: [5, 5, 9, 5], strides: 3, pad: "same" },
  { name: "3x2 10->6 stride (2,3) same", x: [2, 7, 9, 10], filter: [3, 2, 10, 6], strides: [2, 3], pad: "same" },
  { name: "2x2 9->7 stride 3 valid", x: [1, 12, 12, 9], filter: [2, 2, 9, 7], strides: 3, pad: "valid" },
  { name: "3x3 70->37 stride 2 same, 33x30 (wide phases)", x: [1, 33, 30, 70], filter: [3, 3, 70, 37], strides: 2, pad: "same" },
  // Strided filter gradients read in place (output rows of 8 or more, 64 or more pixels): batch
  // 1, channels not multiples of 16, narrow and wide tiles, 1x1 in groups (the last one short).
  { name: "3x3 16->32 stride 2 pad 1, 17x17, batch 1", x: [1, 17, 17, 16], filter: [3, 3, 16, 32], strides: 2, pad: 1 },
  { name: "3x3 5->16 stride 2 same, 19x21", x: [3, 19, 21, 5], filter: [3, 3, 5, 16], strides: 2, pad: "same" },
  { name: "1x1 7->20 stride 2, 16x16, batch 40 (groups)", x: [40, 16, 16, 7], filter: [1, 1, 7, 20], strides: 2, pad: "valid" },
  { name: "3x3 9->33 stride (3,2) same, 25x40", x: [2, 25, 40, 9], filter: [3, 3, 9, 33], strides: [3, 2], pad: "same" }
]

// The cases that the selection rule sends to Winograd (3x3, stride 1, 32+ channels) round at the
// scale of the sum of |terms| (see conv-winograd.test.ts) rather than of each output, so
// cancelling outputs get an absolute tolerance at that scale (K = 9 * in_c <= 315 here).
const winogradTolerance = { rtol: 1e-4, atol: 1e-3 }

const forwardTolerance = (c: ConvCase) => {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations ?? 1, c.pad as never, undefined, false, "channelsLast")
  return usesWinograd(requireAddon(), info, "forward") ? winogradTolerance : undefined
}

const conv = (c: ConvCase, x: tf.Tensor, w: tf.Tensor): tf.Tensor4D =>
  tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad as never, "NHWC", c.dilations ?? 1)

describe.skipIf(!nativeAvailable)("native convolutions", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("sums a 3x3 window of ones with zero padding (hand-computed)", async () => {
    const [r] = await evaluateOn("native", () => tf.conv2d(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, "same"))
    expect(Array.from(r!.values)).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4])
  })

  for (const c of cases) {
    it(`Conv2D ${c.name} matches cpu`, async () => {
      const calls = await nativeCalls("Conv2D", () =>
        expectSameAsCpu(c.name, () => conv(c, randomTensor(1, c.x), randomTensor(2, c.filter)), forwardTolerance(c))
      )
      expect(calls.native).toBe(1)
    })

    it(`Conv2DBackpropInput and Conv2DBackpropFilter ${c.name} match cpu`, async () => {
      const input = await nativeCalls("Conv2DBackpropInput", async () => {
        const filter = await nativeCalls("Conv2DBackpropFilter", () =>
          expectSameAsCpu(
            `${c.name} grads`,
            () => {
              const x = randomTensor(3, c.x)
              const w = randomTensor(4, c.filter)
              const outShape = conv(c, x, w).shape
              const weights = randomTensor(5, outShape)
              return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(c, a, b), weights)))([x, w])
            },
            { rtol: 1e-4, atol: 1e-4 }
          )
        )
        expect(filter.native).toBe(1)
      })
      expect(input.native).toBe(1)
    })
  }

  it("Conv2D with dilation 2 matches cpu", async () => {
    const c: ConvCase = { name: "dilated", x: [2, 11, 10, 3], filter: [3, 3, 3, 4], strides: 1, pad: "same", dilations: 2 }
    const calls = await nativeCalls("Conv2D", () => expectSameAsCpu(c.name, () => conv(c, randomTensor(6, c.x), randomTensor(7, c.filter))))
    expect(calls.native).toBe(1)
  })

  it("gradients agree with central finite differences (independent of both backends' kernels)", async () => {
    await tf.setBackend("native")
    const x0 = randomTensor(11, [1, 5, 6, 2])
    const w0 = randomTensor(12, [3, 3, 2, 3])
    const r = randomTensor(13, [1, 3, 3, 3])
    const loss = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"), r))
    const [gx, gw] = tf.grads(loss)([x0, w0])
    const probe = (t: tf.Tensor, i: number, other: tf.Tensor, first: boolean): number => {
      const h = 1e-2
      const v = t.dataSync().slice()
      const at = (delta: number) => {
        const u = v.slice()
        u[i]! += delta
        const moved = tf.tensor(u, t.shape)
        const value = (first ? loss(moved, other) : loss(other, moved)).dataSync()[0]!
        moved.dispose()
        return value
      }
      return (at(h) - at(-h)) / (2 * h)
    }
    for (const i of [0, 7, 19, 41, 59]) expect(gx!.dataSync()[i]).toBeCloseTo(probe(x0, i, w0, true), 2)
    for (const i of [0, 5, 17, 31, 53]) expect(gw!.dataSync()[i]).toBeCloseTo(probe(w0, i, x0, false), 2)
    tf.dispose([x0, w0, r, gx!, gw!])
  })

  it("FusedConv2D adds the bias and applies each activation like cpu", async () => {
    for (const activation of ["linear", "relu", "relu6", "leakyrelu", "sigmoid", "elu", "prelu"] as const) {
      const calls = await nativeCalls("FusedConv2D", () =>
        expectSameAsCpu(`fused conv ${activation}`, () => {
          const x = tf.mul(randomTensor(8, [2, 7, 8, 4]), 3)
          const w = randomTensor(9, [3, 3, 4, 6])
          const prelu = activation === "prelu" ? randomTensor(10, [6]) : undefined
          const base = {
            x: x as tf.Tensor4D,
            filter: w as tf.Tensor4D,
            strides: 1,
            pad: "same" as const,
            activation,
            leakyreluAlpha: 0.1,
            preluActivationWeights: prelu
          }
          return [tf.fused.conv2d({ ...base, bias: randomTensor(11, [6]) }), tf.fused.conv2d(base)]
        })
      )
      expect(calls.native).toBe(2)
    }
  })

  it("falls back to cpu for NCHW and agrees", async () => {
    const calls = await nativeCalls("Conv2D", () =>
      expectSameAsCpu("NCHW", () => tf.conv2d(randomTensor(12, [1, 3, 7, 7]) as tf.Tensor4D, randomTensor(13, [3, 3, 3, 4]) as tf.Tensor4D, 1, "same", "NCHW"))
    )
    expect(calls).toEqual({ native: 0, fallback: 1 })
  })

  it("leaves depthwise convolutions to the cpu kernels, with the same numbers", async () => {
    const [a] = await evaluateOn("native", () =>
      tf.depthwiseConv2d(randomTensor(14, [1, 6, 6, 3]) as tf.Tensor4D, randomTensor(15, [3, 3, 3, 2]) as tf.Tensor4D, 1, "same")
    )
    const [e] = await evaluateOn("cpu", () =>
      tf.depthwiseConv2d(randomTensor(14, [1, 6, 6, 3]) as tf.Tensor4D, randomTensor(15, [3, 3, 3, 2]) as tf.Tensor4D, 1, "same")
    )
    expectClose(a!, e!, "depthwise", { rtol: 0, atol: 0 })
  })
})
