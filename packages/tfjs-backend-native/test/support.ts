/**
 * Shared test support: whether the addon is built, and running the same computation on the
 * cpu backend (the independent reference) and on the native backend.
 */
import * as tf from "@tensorflow/tfjs-core"
import { Rng, registerMissingGradients } from "@samlab/core-tensor"
import { expect } from "vitest"
import { loadAddon } from "../src/addon.js"
import type { NativeBackend } from "../src/backend.js"

registerMissingGradients()
// The cpu backend's "install tfjs-node" advice is noise here (IS_TEST only silences tfjs warnings).
tf.env().set("IS_TEST", true)

const status = loadAddon()

/** True when build/Release/samlab_native.node (or SAMLAB_NATIVE_ADDON) loads; suites skip otherwise. */
export const nativeAvailable = status.ok

/** Imports the package, which registers the "native" backend. */
export const registerNative = async (): Promise<typeof import("../src/index.js")> => import("../src/index.js")

/** Seeded normal values (never tfjs's random ops, which differ across backends). */
export const normals = (seed: number, size: number, scale = 1): Float32Array => {
  const v = new Rng(seed).normalArray(size)
  if (scale !== 1) for (let i = 0; i < v.length; ++i) v[i]! *= scale
  return v
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** A float32 tensor of seeded normals. */
export const randomTensor = (seed: number, shape: number[], scale = 1): tf.Tensor => tf.tensor(normals(seed, sizeOf(shape), scale), shape, "float32")

export interface Evaluated {
  readonly shape: number[]
  readonly values: Float32Array
}

/** Runs `f` on `backend` inside a tidy and copies every result out. */
export const evaluateOn = async (backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Evaluated[]> => {
  await tf.setBackend(backend)
  // Reused output arrays are NaN-filled first: a kernel that leaves an element unwritten fails the comparison.
  if (backend === "native") (tf.backend() as NativeBackend).poisonRecycled = true
  const out = tf.tidy(() => {
    const r = f()
    return Array.isArray(r) ? r : [r]
  })
  const values = out.map((t) => ({ shape: t.shape, values: Float32Array.from(t.dataSync() as ArrayLike<number>) }))
  tf.dispose(out)
  return values
}

export interface Tolerance {
  readonly rtol?: number
  readonly atol?: number
}

/** |actual - expected| <= atol + rtol |expected| everywhere, NaN matching NaN; names the worst element. */
export const expectClose = (actual: Evaluated, expected: Evaluated, what: string, { rtol = 1e-4, atol = 1e-5 }: Tolerance = {}): void => {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape)
  let worst = -1
  let worstExcess = 0
  for (let i = 0; i < expected.values.length; ++i) {
    const a = actual.values[i]!,
      e = expected.values[i]!
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return expect.fail(`${what}: element ${i} is ${a}, expected ${e}`)
      continue
    }
    if (a === e) continue
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e))
    if (excess > worstExcess || Number.isNaN(excess)) {
      worst = i
      worstExcess = excess
    }
  }
  if (worst >= 0) expect.fail(`${what}: element ${worst} is ${actual.values[worst]}, expected ${expected.values[worst]} (beyond atol ${atol} + rtol ${rtol})`)
}

/** Runs `f` on cpu and on native and checks every output agrees. */
export const expectSameAsCpu = async (what: string, f: () => tf.Tensor | tf.Tensor[], tol?: Tolerance): Promise<void> => {
  const expected = await evaluateOn("cpu", f)
  const actual = await evaluateOn("native", f)
  expect(actual.length).toBe(expected.length)
  actual.forEach((a, i) => expectClose(a, expected[i]!, `${what} [output ${i}]`, tol))
}

/** Native call counts of `kernel` made while `body` runs (fallback calls are not counted). */
export const nativeCalls = async (kernel: string, body: () => Promise<unknown>): Promise<{ native: number; fallback: number }> => {
  const { nativeKernelStats } = await registerNative()
  const before = nativeKernelStats()
  await body()
  const after = nativeKernelStats()
  return {
    native: (after.native[kernel] ?? 0) - (before.native[kernel] ?? 0),
    fallback: (after.fallback[kernel] ?? 0) - (before.fallback[kernel] ?? 0)
  }
}

/** A kernel by name with no attrs, its outputs as a list. */
export const runKernelOutputs = (name: string, inputs: tf.NamedTensorMap): tf.Tensor[] => {
  const r = tf.engine().runKernel(name, inputs, {})
  return Array.isArray(r) ? r : [r]
}

/** The axes before the last (channel) axis, e.g. [0, 1, 2] for NHWC. */
export const leadingAxes = (shape: number[]): number[] => shape.slice(0, -1).map((_, i) => i)
export const channelsOf = (shape: number[]): number => shape[shape.length - 1]!
