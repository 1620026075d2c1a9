import * as tf from "@tensorflow/tfjs-core"
import { type GradientTransformation, type Model, type Params, type TrainingMethod, mlp, sgd, stepper, trainingForward } from "@samlab/core-tensor"
import { type Fixture, type FixtureLayer, type FixtureResult, FixtureError, decodeFixture, fixtureParams } from "@samlab/golden"
import { jacobianRegularized } from "@samlab/optim-jacobian-reg"
import { type SamFamilyKey, denseStack, makeSamFamilyMethod } from "@samlab/optim-sam"

/**
 * The golden-fixture runner (`samlab conformance`): decodes a SAM-family fixture with the
 * fixtures' one loader (`@samlab/golden`, format in its README), builds core-tensor's `mlp`
 * with the fixture's layers, runs its method for `steps` steps in float32 on the active
 * backend, and returns the losses and layers in the fixture's `expected` layout. `expected`
 * itself is ignored.
 */

export { type Fixture, type FixtureLayer, FixtureError, decodeFixture }
export type ConformanceResult = FixtureResult

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
    const { rho, chunkSize, alpha } = fixture.optimizer
    if (key !== "erm" && rho === undefined) throw new FixtureError("fixture.optimizer.rho", `is required for "${key}"`)
    if (key === "saner" && alpha === undefined) throw new FixtureError("fixture.optimizer.alpha", 'is required for "saner"')
    const batched = options.batched && key !== "asam" && key !== "saner" ? denseStack({ activation: fixture.model.activation }) : undefined
    return makeSamFamilyMethod(key, { base, rho, chunkSize, batched, ...(key === "saner" ? { alpha } : {}) })
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
  // the fixtures (computed in PyTorch) call the base optimizer alone "sgd"; samlab's key is "erm"
  sgd: samFamilyEntry("erm"),
  sam: samFamilyEntry("sam"),
  asam: samFamilyEntry("asam"),
  lsam: samFamilyEntry("lsam"),
  jsam: samFamilyEntry("jsam"),
  saner: samFamilyEntry("saner"),
  jacreg: jacregEntry
}

export const registerConformanceMethod = (method: string, factory: ConformanceMethodFactory): void => {
  conformanceMethods[method] = factory
}

// ---- running ----

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
    throw new FixtureError(
      "fixture.optimizer.method",
      `no method "${fixture.optimizer.method}" is registered (known: ${Object.keys(conformanceMethods).join(", ")})`
    )
  }
  const { layers, activation } = fixture.model
  const model = mlp({
    inputDim: layers[0]!.W.length,
    hidden: layers.slice(0, -1).map((l) => l.b.length),
    numClasses: layers[layers.length - 1]!.b.length,
    activation
  })
  const { base } = fixture.optimizer
  const method = factory({ fixture, model, base: sgd({ lr: base.lr, momentum: base.momentum, weightDecay: base.weightDecay }), options })
  const x = tf.tensor2d(fixture.data.x, undefined, "float32")
  const y = tf.tensor1d(fixture.data.y, "int32")
  const run = stepper({ method, forward: trainingForward(model), params: fixtureParams(layers) })
  const result: ConformanceResult = { lossBeforeEachStep: [], layersAfterEachStep: [] }
  try {
    for (let step = 0; step < fixture.steps; step++) {
      result.lossBeforeEachStep.push(run.step({ x, y }).loss)
      result.layersAfterEachStep.push(layersOf(run.params, layers.length))
    }
    return result
  } finally {
    run.dispose()
    tf.dispose([x, y])
  }
}
