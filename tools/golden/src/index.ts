import { existsSync, readFileSync, readdirSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as tf from "@tensorflow/tfjs-core"

/**
 * The one loader of SAM-family fixtures (README.md fixes their format): `samlab conformance`
 * reads a user's file with `readFixture`; every golden test takes the repository's fixtures
 * from `goldenFixtures`. No dependencies, so every package's tests can use it.
 */

/** The folder of the repository's golden fixtures. */
export const goldenDir = fileURLToPath(new URL("../sam-family", import.meta.url))

/** A malformed fixture: `path` names the field (`fixture.data.y[1]`) or the file. */
export class FixtureError extends Error {
  readonly _tag = "FixtureError"
  override readonly name = "FixtureError"
  constructor(
    readonly path: string,
    readonly reason: string
  ) {
    super(`${path}: ${reason}`)
  }
}

export interface FixtureLayer {
  readonly W: number[][]
  readonly b: number[]
}

export interface FixtureOptimizer {
  readonly method: string
  readonly rho: number | undefined
  readonly chunkSize: number | undefined
  readonly lambdaFeatures: number | undefined
  readonly lambdaHead: number | undefined
  readonly alpha: number | undefined
  readonly base: { readonly kind: "sgd"; readonly lr: number; readonly momentum: number; readonly weightDecay: number }
}

/** The losses before each step and the layers after each step, in the fixture's layout. */
export interface FixtureResult {
  readonly lossBeforeEachStep: number[]
  readonly layersAfterEachStep: FixtureLayer[][]
}

/** A fixture as README.md describes it, with defaults filled. */
export interface Fixture {
  readonly name: string
  readonly model: { readonly kind: "mlp"; readonly activation: "relu" | "tanh"; readonly layers: FixtureLayer[] }
  readonly data: { readonly x: number[][]; readonly y: number[] }
  readonly optimizer: FixtureOptimizer
  readonly steps: number
}

/** A fixture with the reference values it must reproduce. */
export interface GoldenFixture extends Fixture {
  readonly file: string
  readonly expected: FixtureResult
}

// ---- decoding, field by field, errors naming the path ----

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
const record = (v: unknown, path: string): Record<string, unknown> => {
  if (!isRecord(v)) throw new FixtureError(path, `expected an object, got ${JSON.stringify(v)?.slice(0, 40)}`)
  return v
}
const finite = (v: unknown, path: string): number => {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new FixtureError(path, `expected a finite number, got ${JSON.stringify(v)}`)
  return v
}
const optionalFinite = (v: unknown, path: string): number | undefined => (v === undefined || v === null ? undefined : finite(v, path))
const positiveInt = (v: unknown, path: string): number => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new FixtureError(path, `expected a positive integer, got ${JSON.stringify(v)}`)
  return v
}
const numbers = (v: unknown, path: string, length?: number): number[] => {
  if (!Array.isArray(v)) throw new FixtureError(path, "expected an array of numbers")
  if (length !== undefined && v.length !== length) throw new FixtureError(path, `expected ${length} numbers, got ${v.length}`)
  return v.map((e, i) => finite(e, `${path}[${i}]`))
}
const matrix = (v: unknown, path: string, rows: number | undefined, cols: number | undefined): number[][] => {
  if (!Array.isArray(v) || v.length === 0) throw new FixtureError(path, "expected a non-empty array of rows")
  if (rows !== undefined && v.length !== rows) throw new FixtureError(path, `expected ${rows} rows, got ${v.length}`)
  const width = cols ?? (Array.isArray(v[0]) ? v[0].length : 0)
  if (width === 0) throw new FixtureError(`${path}[0]`, "expected a non-empty row")
  return v.map((row, i) => numbers(row, `${path}[${i}]`, width))
}

/** Layers whose shapes chain (`W` is `[in, out]`), each shaped like `like[i]` when given. */
const layerList = (v: unknown, path: string, like?: readonly FixtureLayer[]): FixtureLayer[] => {
  if (!Array.isArray(v) || v.length === 0) throw new FixtureError(path, "expected a non-empty array of {W, b}")
  if (like !== undefined && v.length !== like.length) throw new FixtureError(path, `expected ${like.length} layers, got ${v.length}`)
  let inDim: number | undefined
  return v.map((l, i) => {
    const layer = record(l, `${path}[${i}]`)
    const W = matrix(layer["W"], `${path}[${i}].W`, like?.[i]?.W.length ?? inDim, like?.[i]?.W[0]?.length)
    inDim = W[0]!.length
    return { W, b: numbers(layer["b"], `${path}[${i}].b`, inDim) }
  })
}

/** Checks an untyped value (parsed JSON) and returns the fixture (`expected` ignored), or throws a `FixtureError` naming the field. */
export const decodeFixture = (json: unknown): Fixture => {
  const f = record(json, "fixture")
  const name = typeof f["name"] === "string" ? f["name"] : "fixture"
  const model = record(f["model"], "fixture.model")
  if (model["kind"] !== undefined && model["kind"] !== "mlp")
    throw new FixtureError("fixture.model.kind", `only "mlp" is supported, got ${JSON.stringify(model["kind"])}`)
  const activation = model["activation"] ?? "relu"
  if (activation !== "relu" && activation !== "tanh")
    throw new FixtureError("fixture.model.activation", `expected "relu" or "tanh", got ${JSON.stringify(activation)}`)
  const layers = layerList(model["layers"], "fixture.model.layers")
  const inputDim = layers[0]!.W.length
  const numClasses = layers[layers.length - 1]!.b.length
  if (numClasses < 2) throw new FixtureError(`fixture.model.layers[${layers.length - 1}].b`, "the last layer needs at least 2 outputs (classes)")
  const data = record(f["data"], "fixture.data")
  const x = matrix(data["x"], "fixture.data.x", undefined, inputDim)
  const y = numbers(data["y"], "fixture.data.y", x.length)
  y.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= numClasses)
      throw new FixtureError(`fixture.data.y[${i}]`, `expected a class index in [0, ${numClasses}), got ${v}`)
  })
  const o = record(f["optimizer"], "fixture.optimizer")
  if (typeof o["method"] !== "string") throw new FixtureError("fixture.optimizer.method", `expected a string, got ${JSON.stringify(o["method"])}`)
  const base = record(o["base"], "fixture.optimizer.base")
  if (base["kind"] !== undefined && base["kind"] !== "sgd")
    throw new FixtureError("fixture.optimizer.base.kind", `only "sgd" is supported, got ${JSON.stringify(base["kind"])}`)
  return {
    name,
    model: { kind: "mlp", activation, layers },
    data: { x, y },
    steps: positiveInt(f["steps"], "fixture.steps"),
    optimizer: {
      method: o["method"],
      rho: optionalFinite(o["rho"], "fixture.optimizer.rho"),
      chunkSize: o["chunkSize"] === undefined || o["chunkSize"] === null ? undefined : positiveInt(o["chunkSize"], "fixture.optimizer.chunkSize"),
      lambdaFeatures: optionalFinite(o["lambdaFeatures"], "fixture.optimizer.lambdaFeatures"),
      lambdaHead: optionalFinite(o["lambdaHead"], "fixture.optimizer.lambdaHead"),
      alpha: optionalFinite(o["alpha"], "fixture.optimizer.alpha"),
      base: {
        kind: "sgd",
        lr: finite(base["lr"], "fixture.optimizer.base.lr"),
        momentum: optionalFinite(base["momentum"], "fixture.optimizer.base.momentum") ?? 0,
        weightDecay: optionalFinite(base["weightDecay"], "fixture.optimizer.base.weightDecay") ?? 0
      }
    }
  }
}

/** `decodeFixture` plus `expected`: one loss and one set of layers (shaped as the model's) per step. */
export const decodeGoldenFixture = (json: unknown, file: string): GoldenFixture => {
  const fixture = decodeFixture(json)
  const expected = record(record(json, "fixture")["expected"], "fixture.expected")
  const perStep = (v: unknown, path: string): unknown[] => {
    if (!Array.isArray(v) || v.length !== fixture.steps) throw new FixtureError(path, `expected one entry per step (${fixture.steps})`)
    return v
  }
  return {
    ...fixture,
    file,
    expected: {
      lossBeforeEachStep: numbers(perStep(expected["lossBeforeEachStep"], "fixture.expected.lossBeforeEachStep"), "fixture.expected.lossBeforeEachStep"),
      layersAfterEachStep: perStep(expected["layersAfterEachStep"], "fixture.expected.layersAfterEachStep").map((l, s) =>
        layerList(l, `fixture.expected.layersAfterEachStep[${s}]`, fixture.model.layers)
      )
    }
  }
}

const readJson = (path: string): unknown => {
  if (!existsSync(path)) throw new FixtureError(path, "no such file")
  try {
    return JSON.parse(readFileSync(path, "utf8"))
  } catch (e) {
    throw new FixtureError(path, `not JSON: ${(e as Error).message}`)
  }
}

/** Reads and decodes one fixture file; errors name the file and the field. */
export const readFixture = (path: string): Fixture => {
  const json = readJson(path)
  try {
    return decodeFixture(json)
  } catch (e) {
    throw e instanceof FixtureError ? new FixtureError(`${path}: ${e.path}`, e.reason) : e
  }
}

/** The file names in `goldenDir`, sorted. */
export const goldenFixtureFiles = (): string[] => {
  if (!existsSync(goldenDir)) throw new FixtureError(goldenDir, "the golden fixtures folder is missing")
  return readdirSync(goldenDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
}

/**
 * Every golden fixture whose `optimizer.method` is in `methods` (all when absent), decoded with
 * `expected`. Throws when a method asked for has no fixture: a golden test never passes empty.
 */
export const goldenFixtures = (methods?: readonly string[]): GoldenFixture[] => {
  const all = goldenFixtureFiles().map((file) => {
    try {
      return decodeGoldenFixture(readJson(`${goldenDir}/${file}`), file)
    } catch (e) {
      throw e instanceof FixtureError ? new FixtureError(`${file}: ${e.path}`, e.reason) : e
    }
  })
  if (methods === undefined) return all
  for (const m of methods) if (!all.some((f) => f.optimizer.method === m)) throw new FixtureError(goldenDir, `no golden fixture for method "${m}"`)
  return all.filter((f) => methods.includes(f.optimizer.method))
}

// ---- helpers shared by the golden tests and the conformance runner ----

/** A fixture's layers as the params of core-tensor's `mlp`: `dense_0/kernel`, `dense_0/bias`, ..., `head/kernel`, `head/bias` (float32). */
export const fixtureParams = (layers: readonly FixtureLayer[]): Record<string, tf.Tensor> => {
  const p: Record<string, tf.Tensor> = {}
  layers.forEach((l, i) => {
    const name = i === layers.length - 1 ? "head" : `dense_${i}`
    p[`${name}/kernel`] = tf.tensor2d(l.W, undefined, "float32")
    p[`${name}/bias`] = tf.tensor1d(l.b, "float32")
  })
  return p
}

/** The golden tolerance: relative error <= 1e-4, or absolute <= 1e-5 near zero. */
export const closeToGolden = (got: number, want: number): boolean => Math.abs(got - want) <= Math.max(1e-5, 1e-4 * Math.abs(want))
