import { describe, expect, it } from "vitest"
import { requireAddon } from "../src/addon.js"
import { nativeAvailable } from "./support.js"

const f = (n: number) => new Float32Array(n)

/** `call` throws an error of class `kind` with exactly `message` (the addon's errors carry more fields, such as a code). */
const expectError = (call: () => unknown, kind: ErrorConstructor, message: string): void => {
  let thrown: unknown
  try {
    call()
  } catch (e) {
    thrown = e
  }
  expect(thrown).toBeInstanceOf(kind)
  expect((thrown as Error).message).toBe(message)
}

// The addon's own checks on the per-channel bindings (batch norm, bias + ReLU): the kernels check
// shapes before they call it, so only direct calls reach these.
describe.skipIf(!nativeAvailable)("per-channel bindings: argument checks in the addon", () => {
  it("accepts arrays of rows x channels and of channels, and null for an optional one", () => {
    const addon = requireAddon()
    const out = f(6)
    addon.channelAffine(Float32Array.from([1, 2, 3, 4, 5, 6]), Float32Array.from([1, 2, 3]), Float32Array.from([1, 1, 1]), out, 2, 3)
    expect([...out]).toEqual([2, 5, 10, 5, 11, 19])
    expect(() => addon.channelGradSums(f(6), f(6), null, f(3), f(3), 2, 3)).not.toThrow()
    expect(() => addon.reluGrad(f(6), f(6), f(6), null, 2, 3)).not.toThrow()
  })

  it("names the argument that is too short, of a full or a per-channel size, optional ones included", () => {
    const addon = requireAddon()
    expectError(() => addon.channelAffine(f(6), f(3), f(3), f(5), 2, 3), RangeError, "channelAffine: out has 5 elements, 6 needed")
    expectError(() => addon.channelAffine(f(6), f(2), f(3), f(6), 2, 3), RangeError, "channelAffine: scale has 2 elements, 3 needed")
    expectError(() => addon.channelGradSums(f(6), f(6), f(2), f(3), f(3), 2, 3), RangeError, "channelGradSums: center has 2 elements, 3 needed")
    expectError(() => addon.reluGrad(f(6), f(6), f(6), f(2), 2, 3), RangeError, "reluGrad: sumDx has 2 elements, 3 needed")
  })

  it("refuses a wrong type, a bad geometry and a residual without ReLU", () => {
    const addon = requireAddon()
    const notF32 = [1, 2, 3] as unknown as Float32Array
    expectError(() => addon.channelAffine(f(6), notF32, f(3), f(6), 2, 3), TypeError, "channelAffine: argument 1 (scale) must be a Float32Array")
    expectError(() => addon.biasRelu(f(6), f(3), f(6), 2, 0), RangeError, "biasRelu: rows must be >= 0 and channels >= 1")
    expectError(
      () => addon.batchNormTrain(f(6), f(3), f(3), f(3), f(3), f(6), false, 1e-5, 0.1, f(6), f(3), f(3), f(3), f(3), 2, 3),
      RangeError,
      "batchNormTrain: a residual needs relu"
    )
  })
})
