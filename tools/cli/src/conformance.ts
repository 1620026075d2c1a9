import * as tf from "@tensorflow/tfjs-core"
import { type ForwardFn, type GradientTransformation, type Model, type Params, type TrainingMethod, TaggedError, disposeParams, mlp, sgd } from "@samlab/core-tensor"
import { jacobianRegularized } from "@samlab/optim-jacobian-reg"
import { type SamFamilyKey, denseStack, makeSamFamilyMethod } from "@samlab/optim-sam"

/**
 * The golden-fixture runner (`samlab conformance`): decodes a SAM-family fixture
 * (`../shared/golden/README.md`), builds core-tensor's `mlp` with the fixture's layers,
 * runs its method for `steps` steps in float32 on the active backend, and returns the
 * losses and layers in the fixture's `expected` layout. `expected` itself is ignored.
 */

export class FixtureError extends TaggedError("FixtureError") {
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
  readonly base: { readonly kind: "sgd"; readonly lr: number; readonly momentum: number; readonly weightDecay: number }
}

export interface Fixture {
  readonly name: string
  readonly activation: "relu" | "tanh"
  readonly layers: FixtureLayer[]
  readonly x: number[][]
  readonly y: number[]
  readonly optimizer: FixtureOptimizer
  readonly steps: number
}

export interface ConformanceResult {
  readonly lossBeforeEachStep: number[]
  readonly layersAfterEachStep: FixtureLayer[][]
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

/** Checks an untyped value (parsed JSON) and returns the fixture, or throws a `FixtureError` naming the field. */
export const decodeFixture = (json: unknown): Fixture => {
  const f = record(json, "fixture")
  const name = typeof f["name"] === "string" ? f["name"] : "fixture"
  const model = record(f["model"], "fixture.model")
  if (model["kind"] !== undefined && model["kind"] !== "mlp") throw new FixtureError("fixture.model.kind", `only "mlp" is supported, got ${JSON.stringify(model["kind"])}`)
  const activation = model["activation"] ?? "relu"
  if (activation !== "relu" && activation !== "tanh") throw new FixtureError("fixture.model.activation", `expected "relu" or "tanh", got ${JSON.stringify(activation)}`)
  if (!Array.isArray(model["layers"]) || model["layers"].length === 0) throw new FixtureError("fixture.model.layers", "expected a non-empty array of {W, b}")
  let inDim: number | undefined
  const layers = (model["layers"] as unknown[]).map((l, i) => {
    const path = `fixture.model.layers[${i}]`
    const layer = record(l, path)
    const W = matrix(layer["W"], `${path}.W`, inDim, undefined)
    inDim = W[0]!.length
    return { W, b: numbers(layer["b"], `${path}.b`, inDim) }
  })
  const inputDim = layers[0]!.W.length
  const numClasses = layers[layers.length - 1]!.b.length
  if (numClasses < 2) throw new FixtureError(`fixture.model.layers[${layers.length - 1}].b`, "the last layer needs at least 2 outputs (classes)")
  const data = record(f["data"], "fixture.data")
  const x = matrix(data["x"], "fixture.data.x", undefined, inputDim)
  const y = numbers(data["y"], "fixture.data.y", x.length)
  y.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) throw new FixtureError(`fixture.data.y[${i}]`, `expected a class index in [0, ${numClasses}), got ${v}`)
  })
  const o = record(f["optimizer"], "fixture.optimizer")
  if (typeof o["method"] !== "string") throw new FixtureError("fixture.optimizer.method", `expected a string, got ${JSON.stringify(o["method"])}`)
  const base = record(o["base"], "fixture.optimizer.base")
  if (base["kind"] !== undefined && base["kind"] !== "sgd") throw new FixtureError("fixture.optimizer.base.kind", `only "sgd" is supported, got ${JSON.stringify(base["kind"])}`)
  return {
    name,
    activation,
    layers,
    x,
    y,
    steps: positiveInt(f["steps"], "fixture.steps"),
    optimizer: {
      method: o["method"],
      rho: optionalFinite(o["rho"], "fixture.optimizer.rho"),
      chunkSize: o["chunkSize"] === undefined || o["chunkSize"] === null ? undefined : positiveInt(o["chunkSize"], "fixture.optimizer.chunkSize"),
      lambdaFeatures: optionalFinite(o["lambdaFeatures"], "fixture.optimizer.lambdaFeatures"),
      lambdaHead: optionalFinite(o["lambdaHead"], "fixture.optimizer.lambdaHead"),
      base: {
        kind: "sgd",
        lr: finite(base["lr"], "fixture.optimizer.base.lr"),
        momentum: optionalFinite(base["momentum"], "fixture.optimizer.base.momentum") ?? 0,
        weightDecay: optionalFinite(base["weightDecay"], "fixture.optimizer.base.weightDecay") ?? 0
      }
    }
  }
}

// ---- the method table ----

export interface ConformanceOptions {
  /** Use optim-sam's batched dense-stack path where it applies (default: the chunk loop over `model.apply`). */
  readonly batched?: boolean
}

export interface MethodContext {
  readonly fixture: Fixture
  readonly model: Model
  readonly base: GradientTransformation<any>
  readonly options: ConformanceOptions
}

/** Builds the fixture's training method; one entry per `optimizer.method`. */
export type ConformanceMethodFactory = (ctx: MethodContext) => TrainingMethod<any>

const samFamilyEntry =
  (key: SamFamilyKey): ConformanceMethodFactory =>
  ({ fixture, base, options }) => {
    const { rho, chunkSize } = fixture.optimizer
    if (key !== "sgd" && rho === undefined) throw new FixtureError("fixture.optimizer.rho", `is required for "${key}"`)
    const dense = options.batched && key !== "asam" ? denseStack({ activation: fixture.activation }) : undefined
    return makeSamFamilyMethod(key, { base, rho, chunkSize, dense })
  }

/** `jacreg`: mean CE + lambdaFeatures * mean ||features||^2 + lambdaHead * ||W_head||_F^2 (@samlab/optim-jacobian-reg). */
const jacregEntry: ConformanceMethodFactory = ({ fixture, model, base }) => {
  const { lambdaFeatures, lambdaHead } = fixture.optimizer
  if (lambdaFeatures === undefined) throw new FixtureError("fixture.optimizer.lambdaFeatures", 'is required for "jacreg"')
  if (lambdaHead === undefined) throw new FixtureError("fixture.optimizer.lambdaHead", 'is required for "jacreg"')
  return jacobianRegularized({ lambdaFeatures, lambdaHead, headWeight: model.headWeight, base })
}

/**
 * `optimizer.method` -> method. Other packages add theirs with `registerConformanceMethod`
 * (`jacreg` comes from @samlab/optim-jacobian-reg).
 */
export const conformanceMethods: Record<string, ConformanceMethodFactory> = {
  sgd: samFamilyEntry("sgd"),
  sam: samFamilyEntry("sam"),
  asam: samFamilyEntry("asam"),
  lsam: samFamilyEntry("lsam"),
  jsam: samFamilyEntry("jsam"),
  jacreg: jacregEntry
}

export const registerConformanceMethod = (method: string, factory: ConformanceMethodFactory): void => {
  conformanceMethods[method] = factory
}

// ---- running ----

/** The fixture's layers as `mlp` params: `dense_0/kernel`, `dense_0/bias`, ..., `head/kernel`, `head/bias`. */
export const fixtureParams = (layers: readonly FixtureLayer[]): Params => {
  const p: Record<string, tf.Tensor> = {}
  layers.forEach((l, i) => {
    const name = i === layers.length - 1 ? "head" : `dense_${i}`
    p[`${name}/kernel`] = tf.tensor2d(l.W, undefined, "float32")
    p[`${name}/bias`] = tf.tensor1d(l.b, "float32")
  })
  return p
}

const layersOf = (params: Params, count: number): FixtureLayer[] =>
  Array.from({ length: count }, (_, i) => {
    const name = i === count - 1 ? "head" : `dense_${i}`
    return { W: params[`${name}/kernel`]!.arraySync() as number[][], b: params[`${name}/bias`]!.arraySync() as number[] }
  })

/** Runs a fixture (parsed JSON) and returns `{ lossBeforeEachStep, layersAfterEachStep }`. */
export const runConformance = (fixtureJson: unknown, options: ConformanceOptions = {}): ConformanceResult => {
  const fixture = decodeFixture(fixtureJson)
  const factory = conformanceMethods[fixture.optimizer.method]
  if (factory === undefined) {
    throw new FixtureError("fixture.optimizer.method", `no method "${fixture.optimizer.method}" is registered (known: ${Object.keys(conformanceMethods).join(", ")})`)
  }
  const { layers } = fixture
  const model = mlp({ inputDim: layers[0]!.W.length, hidden: layers.slice(0, -1).map((l) => l.b.length), numClasses: layers[layers.length - 1]!.b.length, activation: fixture.activation })
  const { base } = fixture.optimizer
  const method = factory({ fixture, model, base: sgd({ lr: base.lr, momentum: base.momentum, weightDecay: base.weightDecay }), options })
  const forward: ForwardFn = (p, x) => model.apply(p, x, { training: true })
  const x = tf.tensor2d(fixture.x, undefined, "float32")
  const y = tf.tensor1d(fixture.y, "int32")
  let params = fixtureParams(layers)
  let state = method.init(params)
  const result: ConformanceResult = { lossBeforeEachStep: [], layersAfterEachStep: [] }
  try {
    for (let step = 0; step < fixture.steps; step++) {
      const r = method.step(params, state, { x, y }, forward, step)
      disposeParams(params, r.modelState)
      method.disposeState(state)
      params = r.params
      state = r.state
      result.lossBeforeEachStep.push(r.loss)
      result.layersAfterEachStep.push(layersOf(params, layers.length))
    }
    return result
  } finally {
    disposeParams(params)
    method.disposeState(state)
    tf.dispose([x, y])
  }
}
