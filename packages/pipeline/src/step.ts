import type { Effect, Schema } from "effect"
import type { Json } from "./config.js"

/** The values of one cell by axis name: e.g. `{ method: "sam", seed: 1 }`. */
export type CellValues = Readonly<Record<string, Json>>

/**
 * One cell of a pipeline's matrix. `V` types the values of the pipeline's own axes
 * (`{ readonly method: MethodKey; readonly seed: number }`); at run time `values` also holds
 * the swept config paths (e.g. `"noise.rate": 0.2`), which a step reads through its config.
 */
export interface Cell<V extends CellValues = CellValues> {
  /** Stable, readable id used in paths and logs, e.g. `method=sam,seed=1`. */
  readonly id: string
  readonly index: number
  readonly values: V
}

/** What the runner tells a running step about itself. */
export interface StepContext {
  readonly pipeline: string
  readonly step: string
  readonly cell: Cell
  /** Content address of this step run: its name, version, decoded config and its inputs' addresses. */
  readonly key: string
}

/**
 * A typed step: a name, a config decoded by `Schema` (defaults and ranges live there),
 * typed inputs from earlier steps, a typed output, typed errors `E` and the services `R`
 * it needs. An `output` codec makes the step's result storable, so reruns skip it;
 * without one (e.g. an in-memory dataset) the step is recomputed when needed.
 */
export interface Step<Name extends string, C, CE, I, O, E, R> {
  readonly _tag: "Step"
  readonly name: Name
  readonly description: string
  /** Bump to invalidate stored results of older code. */
  readonly version: number
  readonly config: Schema.Codec<C, CE>
  readonly output: Schema.Codec<O, any> | undefined
  readonly run: (config: C, inputs: I, context: StepContext) => Effect.Effect<O, E, R>
}

export type AnyStep = Step<string, any, any, any, any, any, any>

export const makeStep = <const Name extends string, C, CE, I, O, E, R>(definition: {
  readonly name: Name
  readonly description?: string
  readonly version?: number
  readonly config: Schema.Codec<C, CE>
  readonly output?: Schema.Codec<O, any>
  readonly run: (config: C, inputs: I, context: StepContext) => Effect.Effect<O, E, R>
}): Step<Name, C, CE, I, O, E, R> => ({
  _tag: "Step",
  name: definition.name,
  description: definition.description ?? "",
  version: definition.version ?? 1,
  config: definition.config,
  output: definition.output,
  run: definition.run
})
