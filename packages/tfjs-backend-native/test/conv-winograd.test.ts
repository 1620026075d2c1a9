import * as tf from "@tensorflow/tfjs-core"
import { beforeAll, describe, expect, it } from "vitest"
import { requireAddon } from "../src/addon.js"
import { usesWinograd } from "../src/kernels/conv.js"
import { expectSameAsCpu, nativeAvailable, nativeCalls, randomTensor, registerNative } from "./support.js"

type Pad = "valid" | "same" | number | [[0, 0], [number, number], [number, number], [0, 0]]

interface WinogradCase {
  readonly name: string
  readonly x: [number, number, number, number]
  readonly outChannels: number
  readonly pad: Pad
}

// 3x3 stride-1 convolutions the selection rule sends to Winograd F(2x2, 3x3), all three passes: odd sizes (a last
// row or column of tiles half outside), batch 1, every padding kind (the input gradient's is
// 2 - pad: explicit padding 2 and asymmetric padding exercise it), channels off the SIMD widths.
const cases: WinogradCase[] = [
  { name: "32->40 same, 9x11", x: [2, 9, 11, 32], outChannels: 40, pad: "same" },
  { name: "32->64 same, 16x16 (the small CNN's second layer, batch 2)", x: [2, 16, 16, 32], outChannels: 64, pad: "same" },
  { name: "64->64 valid, 8x8, batch 1", x: [1, 8, 8, 64], outChannels: 64, pad: "valid" },
  { name: "64->70 same, 7x5", x: [3, 7, 5, 64], outChannels: 70, pad: "same" },
  { name: "65->66 explicit pad 2, 5x6", x: [2, 5, 6, 65], outChannels: 66, pad: 2 },
  {
    name: "64->80 asymmetric pad, 9x7",
    x: [2, 9, 7, 64],
    outChannels: 80,
    pad: [
      [0, 0],
      [0, 1],
      [2, 0],
      [0, 0]
    ]
  }
]

const conv = (c: WinogradCase, x: tf.Tensor, w: tf.Tensor): tf.Tensor4D => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, c.pad as never)

const filterShape = (c: WinogradCase): [number, number, number, number] => [3, 3, c.x[3], c.outChannels]

const info = (x: number[], filter: number[], strides: number, pad: Pad): tf.backend_util.Conv2DInfo =>
  tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    filter as [number, number, number, number],
    strides,
    1,
    pad as never,
    undefined,
    false,
    "channelsLast"
  )

// Tolerance: outputs are dot products of K = 9 * in_c (or, for the filter gradient, batch *
// pixels) products of standard normals, whose terms sum in magnitude to about 0.64 K (~370 at
// 64 channels). Both backends round in float32 at that scale, Winograd's transforms by a few
// ulps of it more: 2e-3 absolute is about 2^-17.5 of it, tens of ulps, while a wrong transform,
// tile or border is off by O(1).
const tolerance = { rtol: 1e-4, atol: 2e-3 }

describe.skipIf(!nativeAvailable)("native Winograd convolutions", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("selects Winograd for 3x3 stride-1 layers with 32+ channels, never for the stem, 16-channel, strided or 1x1 layers", () => {
    const addon = requireAddon()
    for (const pass of ["forward", "inputGrad", "filterGrad"] as const) {
      expect(usesWinograd(addon, info([128, 16, 16, 32], [3, 3, 32, 64], 1, "same"), pass)).toBe(true)
      expect(usesWinograd(addon, info([128, 8, 8, 64], [3, 3, 64, 128], 1, "same"), pass)).toBe(true)
      expect(usesWinograd(addon, info([128, 32, 32, 16], [3, 3, 16, 16], 1, "same"), pass)).toBe(false)
      expect(usesWinograd(addon, info([128, 32, 32, 3], [3, 3, 3, 32], 1, "same"), pass)).toBe(false)
      expect(usesWinograd(addon, info([128, 16, 16, 32], [3, 3, 32, 64], 2, "same"), pass)).toBe(false)
      expect(usesWinograd(addon, info([128, 16, 16, 32], [1, 1, 32, 64], 1, "same"), pass)).toBe(false)
    }
  })

  for (const c of cases) {
    it(`Conv2D ${c.name} takes the Winograd path and matches cpu`, async () => {
      const i = info(c.x, filterShape(c), 1, c.pad)
      expect(usesWinograd(requireAddon(), i, "forward")).toBe(true)
      const calls = await nativeCalls("Conv2D", () =>
        expectSameAsCpu(c.name, () => conv(c, randomTensor(21, c.x), randomTensor(22, filterShape(c))), tolerance)
      )
      expect(calls.native).toBe(1)
    })

    it(`both gradients of ${c.name} take the Winograd path and match cpu`, async () => {
      const i = info(c.x, filterShape(c), 1, c.pad)
      expect(usesWinograd(requireAddon(), i, "inputGrad")).toBe(true)
      expect(usesWinograd(requireAddon(), i, "filterGrad")).toBe(true)
      const input = await nativeCalls("Conv2DBackpropInput", async () => {
        const filter = await nativeCalls("Conv2DBackpropFilter", () =>
          expectSameAsCpu(
            `${c.name} grads`,
            () => {
              const x = randomTensor(23, c.x)
              const w = randomTensor(24, filterShape(c))
              const weights = randomTensor(25, conv(c, x, w).shape)
              return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(c, a, b), weights)))([x, w])
            },
            tolerance
          )
        )
        expect(filter.native).toBe(1)
      })
      expect(input.native).toBe(1)
    })
  }
})
