import * as tf from "@tensorflow/tfjs-core"
import { beforeAll, describe, expect, it } from "vitest"
import { evaluateOn, expectSameAsCpu, nativeAvailable, nativeCalls, normals, randomTensor, registerNative } from "./support.js"

// Pairs of shapes covering the broadcasts training uses: equal, scalar, bias row, column, and
// general; the last two are large enough to be split across threads mid-row (batch norm's
// per-channel row, and a general broadcast whose rows repeat on two axes).
const shapePairs: Array<[number[], number[]]> = [
  [
    [37, 29],
    [37, 29]
  ],
  [[37, 29], []],
  [[], [5, 7]],
  [[128, 10], [10]],
  [
    [33, 1],
    [33, 17]
  ],
  [
    [2, 1, 5, 1],
    [3, 1, 4]
  ],
  [[4, 6, 6, 3], [3]],
  [[1031], [1]],
  [
    [9, 33, 29, 16],
    [1, 1, 1, 16]
  ],
  [
    [40, 1, 33, 50],
    [7, 33, 1]
  ]
]

const specials = () => tf.tensor1d([0, -0, 1, -1, 2.5, -3.75, 1e-8, -1e8, Infinity, -Infinity, NaN, 0.5])

const binaryOps: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ["Add", tf.add],
  ["Sub", tf.sub],
  ["Multiply", tf.mul],
  ["RealDiv", tf.div],
  ["Maximum", tf.maximum],
  ["Minimum", tf.minimum],
  ["SquaredDifference", tf.squaredDifference]
]

const unaryOps: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
  ["Relu", tf.relu],
  ["Relu6", tf.relu6],
  ["LeakyRelu", (x) => tf.leakyRelu(x, 0.17)],
  ["Step", (x) => tf.step(x, 0.3)],
  ["Neg", tf.neg],
  ["Abs", tf.abs],
  ["Square", tf.square],
  ["Sqrt", tf.sqrt],
  ["Rsqrt", tf.rsqrt],
  ["Exp", tf.exp],
  ["Log", tf.log],
  ["Sigmoid", tf.sigmoid],
  ["Tanh", tf.tanh],
  ["Elu", tf.elu],
  ["Reciprocal", tf.reciprocal]
]

describe.skipIf(!nativeAvailable)("native element-wise kernels", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("adds a bias row to a matrix (hand-computed)", async () => {
    const [r] = await evaluateOn("native", () =>
      tf.add(
        tf.tensor2d([
          [1, 2, 3],
          [4, 5, 6]
        ]),
        tf.tensor1d([10, 20, 30])
      )
    )
    expect(Array.from(r!.values)).toEqual([11, 22, 33, 14, 25, 36])
  })

  for (const [name, op] of binaryOps) {
    it(`${name} broadcasts like cpu`, async () => {
      const calls = await nativeCalls(name, () =>
        expectSameAsCpu(name, () =>
          shapePairs.map(([sa, sb], i) =>
            op(randomTensor(i, sa), name === "RealDiv" ? tf.add(tf.abs(randomTensor(i + 50, sb)), 0.5) : randomTensor(i + 50, sb))
          )
        )
      )
      expect(calls.native).toBe(shapePairs.length)
    })

    it(`${name} handles signed zeros, infinities and NaN like cpu`, async () => {
      await expectSameAsCpu(`${name} specials`, () => [op(specials(), tf.reverse(specials())), op(specials(), tf.scalar(NaN)), op(specials(), tf.scalar(-0))], {
        rtol: 1e-6,
        atol: 0
      })
    })
  }

  for (const [name, op] of unaryOps) {
    it(`${name} matches cpu, including special values`, async () => {
      const calls = await nativeCalls(name, () =>
        expectSameAsCpu(name, () => [op(tf.mul(randomTensor(3, [65, 33]), 4)), op(specials())], { rtol: 2e-6, atol: 1e-7 })
      )
      expect(calls.native).toBe(2)
    })
  }

  it("AddN sums many tensors like cpu", async () => {
    const calls = await nativeCalls("AddN", () => expectSameAsCpu("AddN", () => tf.addN([0, 1, 2, 3, 4].map((s) => randomTensor(s, [17, 23])))))
    expect(calls.native).toBe(1)
  })

  it("leaves int32 arithmetic to the cpu kernels, with the same results", async () => {
    const calls = await nativeCalls("Add", () =>
      expectSameAsCpu("int32 add", () => tf.cast(tf.add(tf.tensor1d([1, 2, 3], "int32"), tf.tensor1d([4, 5, 6], "int32")), "float32"))
    )
    expect(calls).toEqual({ native: 0, fallback: 1 })
  })

  it("raises tfjs's own error on shapes that do not broadcast", async () => {
    await tf.setBackend("native")
    expect(() => tf.add(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(/broadcast/)
  })
})

describe.skipIf(!nativeAvailable)("native reductions", () => {
  beforeAll(async () => {
    await registerNative()
  })

  const reductions: Array<[string, (x: tf.Tensor, axis: number | number[], keepDims: boolean) => tf.Tensor]> = [
    ["Sum", tf.sum],
    ["Max", tf.max],
    ["Min", tf.min],
    ["Mean", tf.mean]
  ]
  const axes: Array<number | number[]> = [0, 1, 2, -1, [1, 2], [0, 1, 2]]

  for (const [name, op] of reductions) {
    it(`${name} over contiguous axes, with and without keepDims, matches cpu`, async () => {
      const calls = await nativeCalls(name, () =>
        expectSameAsCpu(name, () => axes.flatMap((axis) => [op(randomTensor(7, [6, 35, 9]), axis, false), op(randomTensor(8, [6, 35, 9]), axis, true)]), {
          rtol: 1e-5,
          atol: 1e-5
        })
      )
      expect(calls.native).toBe(axes.length * 2)
    })
  }

  it("sums the rows of a hand-computed matrix", async () => {
    const [r] = await evaluateOn("native", () =>
      tf.sum(
        tf.tensor2d([
          [1, 2, 3],
          [4, 5, 6]
        ]),
        0
      )
    )
    expect(Array.from(r!.values)).toEqual([5, 7, 9])
  })

  it("propagates NaN through max and min like cpu", async () => {
    await expectSameAsCpu("NaN max", () => [
      tf.max(
        tf.tensor2d([
          [1, NaN, 3],
          [4, 5, 6]
        ]),
        1
      ),
      tf.min(
        tf.tensor2d([
          [1, NaN, 3],
          [4, 5, 6]
        ]),
        0
      )
    ])
  })

  // Long rows take the chunked path: 16 interleaved double lanes per chunk where cpu adds in
  // index order. Both accumulate floats in double, so before the one rounding to float they
  // differ by at most ~4 n 2^-53 sum|x| (atol); the rounding itself may then differ by one
  // float ulp (rtol 1.2e-7). Max and min are exact, NaN and infinities included.
  it("full reductions over long rows match cpu (sums within double rounding, max and min exactly)", async () => {
    const cases: Array<[number, number[]]> = [
      [21, [3072, 512]],
      [22, [200003]],
      [23, [3, 70001]]
    ]
    for (const [seed, shape] of cases) {
      const n = shape[shape.length - 1]!
      const x = () => randomTensor(seed, shape, 10)
      const sumAbs = (await evaluateOn("cpu", () => tf.sum(tf.abs(x()))))[0]!.values[0]!
      const axis = shape.length === 1 ? 0 : shape.length - 1
      const full = shape.length === 2 && shape[0] === 3072
      const reduceAll = (f: (t: tf.Tensor, axis?: number) => tf.Tensor) => (full ? f(x()) : f(x(), axis))
      const calls = await nativeCalls("Sum", () =>
        expectSameAsCpu(`sum ${shape}`, () => [reduceAll(tf.sum), reduceAll(tf.mean)], { rtol: 1.2e-7, atol: 4 * n * 2 ** -53 * sumAbs })
      )
      expect(calls.native).toBe(1)
      await expectSameAsCpu(`max/min ${shape}`, () => [reduceAll(tf.max), reduceAll(tf.min)], { rtol: 0, atol: 0 })
    }
    const specialsAt = (values: Array<[number, number]>) => () => {
      const v = normals(24, 100003)
      for (const [i, value] of values) v[i] = value
      return tf.tensor1d(v)
    }
    for (const [what, values] of [
      ["NaN in a lane", [[40000, NaN]]],
      ["NaN in the tail", [[100002, NaN]]],
      [
        "infinities",
        [
          [5, Infinity],
          [70000, -Infinity]
        ]
      ],
      [
        "infinity and NaN",
        [
          [5, Infinity],
          [99999, NaN]
        ]
      ]
    ] as Array<[string, Array<[number, number]>]>) {
      const t = specialsAt(values)
      await expectSameAsCpu(what, () => [tf.max(t()), tf.min(t()), tf.sum(t())], { rtol: 0, atol: 0 })
    }
  })

  it("hands non-contiguous axes to the cpu kernel (it transposes), with the same results", async () => {
    const calls = await nativeCalls("Sum", () => expectSameAsCpu("sum [0,2]", () => tf.sum(randomTensor(9, [4, 5, 6]), [0, 2]), { rtol: 1e-5, atol: 1e-5 }))
    expect(calls).toEqual({ native: 0, fallback: 1 })
  })
})
