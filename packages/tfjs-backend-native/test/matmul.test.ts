import * as tf from "@tensorflow/tfjs-core"
import { beforeAll, describe, expect, it } from "vitest"
import { evaluateOn, expectSameAsCpu, nativeAvailable, nativeCalls, randomTensor, registerNative } from "./support.js"

const transposes = [
  [false, false],
  [false, true],
  [true, false],
  [true, true]
] as const

/** a as op(a) [m, k], b as op(b) [k, n], in the stored orientation each transpose flag needs. */
const operands = (seed: number, m: number, n: number, k: number, ta: boolean, tb: boolean, batch: number[] = []) => ({
  a: randomTensor(seed, [...batch, ...(ta ? [k, m] : [m, k])]),
  b: randomTensor(seed + 1, [...batch, ...(tb ? [n, k] : [k, n])])
})

describe.skipIf(!nativeAvailable)("native MatMul", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("multiplies a hand-computed case", async () => {
    const [r] = await evaluateOn("native", () =>
      tf.matMul(
        tf.tensor2d([
          [1, 2, 3],
          [4, 5, 6]
        ]),
        tf.tensor2d([
          [1, 0],
          [0, 1],
          [2, -1]
        ])
      )
    )
    expect(Array.from(r!.values)).toEqual([7, -1, 16, -1])
  })

  // Odd sizes straddle the micro-kernel tiles and the cache blocks in every direction.
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [7, 13, 5],
    [33, 65, 17],
    [130, 70, 300],
    [5, 3, 1031]
  ]
  for (const [ta, tb] of transposes) {
    for (const [m, n, k] of shapes) {
      it(`[${m}x${k}]x[${k}x${n}] transposeA=${ta} transposeB=${tb} matches cpu`, async () => {
        const calls = await nativeCalls("BatchMatMul", () =>
          expectSameAsCpu(`matMul ${m}x${n}x${k}`, () => {
            const { a, b } = operands(m * 31 + n, m, n, k, ta, tb)
            return tf.matMul(a, b, ta, tb)
          })
        )
        expect(calls.native).toBe(1)
      })
    }
  }

  it("batches, broadcasting one side, for every transpose", async () => {
    for (const [ta, tb] of transposes) {
      await expectSameAsCpu(`batched ta=${ta} tb=${tb}`, () => {
        const { a, b } = operands(7, 9, 11, 6, ta, tb, [4])
        const shared = randomTensor(9, tb ? [1, 11, 6] : [1, 6, 11])
        return [
          tf.matMul(a, b, ta, tb),
          tf.matMul(a, shared, ta, tb),
          tf.matMul(tf.reshape(a, [2, 2, ...a.shape.slice(1)]), tf.reshape(b, [2, 2, ...b.shape.slice(1)]), ta, tb)
        ]
      })
    }
  })

  it("computes every gradient of a product (all transposes) like cpu", async () => {
    for (const [ta, tb] of transposes) {
      await expectSameAsCpu(`grads ta=${ta} tb=${tb}`, () => {
        const { a, b } = operands(21, 17, 23, 29, ta, tb)
        const w = randomTensor(23, [17, 23])
        return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), w)))([a, b])
      })
    }
  })

  it("falls back to cpu for int32 operands and still agrees", async () => {
    const calls = await nativeCalls("BatchMatMul", () =>
      expectSameAsCpu("int32 matMul", () =>
        tf.cast(
          tf.matMul(
            tf.tensor2d(
              [
                [1, 2],
                [3, 4]
              ],
              [2, 2],
              "int32"
            ),
            tf.tensor2d(
              [
                [5, 6],
                [7, 8]
              ],
              [2, 2],
              "int32"
            )
          ),
          "float32"
        )
      )
    )
    expect(calls).toEqual({ native: 0, fallback: 1 })
  })

  it("raises tfjs's own error on mismatched inner dimensions", async () => {
    await tf.setBackend("native")
    expect(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 2]))).toThrow(/inner shapes/)
  })
})

describe.skipIf(!nativeAvailable)("native _FusedMatMul", () => {
  beforeAll(async () => {
    await registerNative()
  })

  const activations = ["linear", "relu", "relu6", "leakyrelu", "sigmoid", "elu", "prelu"] as const
  for (const activation of activations) {
    it(`bias + ${activation} matches cpu, per-column and scalar bias`, async () => {
      const calls = await nativeCalls("_FusedMatMul", () =>
        expectSameAsCpu(`fused ${activation}`, () => {
          const { a, b } = operands(3, 19, 21, 37, false, true)
          const scaled = tf.mul(a, 3) // push values past relu6's cap and into elu's negative side
          const common = {
            a: scaled,
            b,
            transposeB: true,
            activation,
            leakyreluAlpha: 0.13,
            preluActivationWeights: activation === "prelu" ? randomTensor(5, [21]) : undefined
          }
          return [
            tf.fused.matMul({ ...common, bias: randomTensor(4, [21]) }),
            tf.fused.matMul({ ...common, bias: tf.scalar(0.7) }),
            tf.fused.matMul({ ...common })
          ]
        })
      )
      expect(calls.native).toBe(3)
    })
  }

  it("adds a bias of the full output shape through the Add kernel", async () => {
    await expectSameAsCpu("fused full bias", () => {
      const { a, b } = operands(8, 6, 10, 12, true, false)
      return tf.fused.matMul({ a, b, transposeA: true, bias: randomTensor(9, [6, 10]), activation: "relu" })
    })
  })
})
