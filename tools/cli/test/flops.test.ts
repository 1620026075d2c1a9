import { describe, expect, it } from "vitest"
import { kernelFlops, stepFlops } from "../src/flops.js"

describe("FLOPs from profiled kernel shapes", () => {
  it("counts 2 M N K for a product, whichever operand is transposed", () => {
    // [128 x 3072] @ [3072 x 512]
    expect(
      kernelFlops({
        name: "BatchMatMul",
        inputShapes: [
          [128, 3072],
          [3072, 512]
        ],
        outputShapes: [[128, 512]]
      })
    ).toBe(2 * 128 * 512 * 3072)
    // a transposed: [3072 x 128]^T @ [3072 x 512] -> [128 x 512], K = 3072
    expect(
      kernelFlops({
        name: "BatchMatMul",
        inputShapes: [
          [1, 3072, 128],
          [1, 3072, 512]
        ],
        outputShapes: [[1, 128, 512]]
      })
    ).toBe(2 * 128 * 512 * 3072)
  })

  it("counts a 3x3 convolution and its two gradients as the same work", () => {
    const x = [8, 16, 16, 32]
    const filter = [3, 3, 32, 64]
    const y = [8, 16, 16, 64]
    const forward = kernelFlops({ name: "Conv2D", inputShapes: [x, filter], outputShapes: [y] })
    expect(forward).toBe(2 * 8 * 16 * 16 * 64 * 3 * 3 * 32)
    expect(kernelFlops({ name: "Conv2DBackpropInput", inputShapes: [y, filter], outputShapes: [x] })).toBe(forward)
    expect(kernelFlops({ name: "Conv2DBackpropFilter", inputShapes: [x, y], outputShapes: [filter] })).toBe(forward)
  })

  it("ignores element-wise kernels and sums a step", () => {
    expect(kernelFlops({ name: "Relu", inputShapes: [[128, 512]], outputShapes: [[128, 512]] })).toBe(0)
    expect(
      stepFlops([
        {
          name: "BatchMatMul",
          inputShapes: [
            [2, 3],
            [3, 4]
          ],
          outputShapes: [[2, 4]]
        },
        { name: "Add", inputShapes: [[2, 4], [4]], outputShapes: [[2, 4]] }
      ])
    ).toBe(48)
  })
})
