import type { Layer, Schema } from "effect"
import type { Json, JsonObject } from "./config.js"
import type { AnyStep, Cell, Step } from "./step.js"

/** Per-cell steps see the named outputs of earlier steps of the same cell. */
export interface CellNode {
  readonly scope: "cell"
  readonly step: AnyStep
  readonly needs: readonly string[]
  readonly configOf: (config: any, cell: Cell) => unknown
}

/** Aggregate steps run once, over the stored outputs of every cell, after all cells. */
export interface AggregateNode {
  readonly scope: "aggregate"
  readonly step: AnyStep
  readonly cellNeeds: readonly string[]
  readonly needs: readonly string[]
  readonly configOf: (config: any) => unknown
}

export type StepNode = CellNode | AggregateNode

/** Matrix axes: a name and its values (any JSON value: a rate, a method key, a list of widths). */
export type MatrixAxes = Readonly<Record<string, ReadonlyArray<Json>>>

/** The outputs of one cell, as aggregate steps receive them. */
export interface CellOutputs<O> {
  readonly cell: Cell
  readonly outputs: O
}

type InputsMismatch<Need, Have> = [Have] extends [Need] ? unknown : { readonly "step inputs do not match the outputs it needs": Need }

/**
 * A pipeline is a value: a name, a config Schema with named presets, a matrix of cells
 * (seeds, methods, ...), per-cell steps and aggregate steps. It can be printed,
 * validated without running, and run by the runner. `Outs`/`AggOuts` accumulate the
 * typed outputs of the steps added so far; `E` and `R` their errors and services.
 */
export class Pipeline<C, CE, Outs, AggOuts, E, R> {
  constructor(
    readonly name: string,
    readonly description: string,
    readonly config: Schema.Codec<C, CE>,
    readonly presets: Readonly<Record<string, JsonObject>>,
    readonly matrixOf: (config: C) => MatrixAxes,
    readonly nodes: readonly StepNode[],
    readonly layers: ReadonlyArray<(config: C) => Layer.Layer<any, any, any>>
  ) {}

  /** Named partial configs (encoded form); `--preset NAME` starts from one of them. */
  withPresets(presets: Readonly<Record<string, JsonObject>>): Pipeline<C, CE, Outs, AggOuts, E, R> {
    return new Pipeline(this.name, this.description, this.config, { ...this.presets, ...presets }, this.matrixOf, this.nodes, this.layers)
  }

  /** The cells to run: the cartesian product of the axes, first axis outermost. */
  matrix(axes: (config: C) => MatrixAxes): Pipeline<C, CE, Outs, AggOuts, E, R> {
    return new Pipeline(this.name, this.description, this.config, this.presets, axes, this.nodes, this.layers)
  }

  /** Adds a per-cell step fed by the outputs of the steps it `needs`. */
  step<const N extends string, SC, SCE, I, O, E2, R2, const K extends keyof Outs & string = never>(
    step: Step<N, SC, SCE, I, O, E2, R2> & InputsMismatch<I, Pick<Outs, K>>,
    wiring: { readonly needs?: readonly K[]; readonly config: (config: C, cell: Cell) => NoInfer<SCE> }
  ): Pipeline<C, CE, Outs & { readonly [P in N]: O }, AggOuts, E | E2, R | R2> {
    const node: CellNode = { scope: "cell", step, needs: wiring.needs ?? [], configOf: wiring.config }
    return new Pipeline(this.name, this.description, this.config, this.presets, this.matrixOf, [...this.nodes, node], this.layers)
  }

  /** Adds a step that runs once over every cell's outputs of `cellNeeds` (and earlier aggregate outputs of `needs`). */
  aggregate<const N extends string, SC, SCE, I, O, E2, R2, const K extends keyof Outs & string = never, const A extends keyof AggOuts & string = never>(
    step: Step<N, SC, SCE, I, O, E2, R2> & InputsMismatch<I, { readonly cells: ReadonlyArray<CellOutputs<Pick<Outs, K>>> } & Pick<AggOuts, A>>,
    wiring: { readonly cellNeeds?: readonly K[]; readonly needs?: readonly A[]; readonly config: (config: C) => NoInfer<SCE> }
  ): Pipeline<C, CE, Outs, AggOuts & { readonly [P in N]: O }, E | E2, R | R2> {
    const node: AggregateNode = { scope: "aggregate", step, cellNeeds: wiring.cellNeeds ?? [], needs: wiring.needs ?? [], configOf: wiring.config }
    return new Pipeline(this.name, this.description, this.config, this.presets, this.matrixOf, [...this.nodes, node], this.layers)
  }

  /** Provides services to every step, built from the decoded config (e.g. the tensor backend it names). */
  provide<ROut, LE>(layer: (config: C) => Layer.Layer<ROut, LE, never>): Pipeline<C, CE, Outs, AggOuts, E | LE, Exclude<R, ROut>> {
    return new Pipeline(this.name, this.description, this.config, this.presets, this.matrixOf, this.nodes, [...this.layers, layer])
  }
}

/** Starts a pipeline declaration. */
export const makePipeline = <C, CE>(definition: {
  readonly name: string
  readonly description?: string
  readonly config: Schema.Codec<C, CE>
  readonly presets?: Readonly<Record<string, JsonObject>>
}): Pipeline<C, CE, {}, {}, never, never> =>
  new Pipeline(definition.name, definition.description ?? "", definition.config, definition.presets ?? {}, () => ({}), [], [])

export type AnyPipeline = Pipeline<any, any, any, any, any, any>

/** Expands matrix axes into cells, first axis outermost. */
export const expandMatrix = (axes: MatrixAxes): Cell[] => {
  const names = Object.keys(axes)
  let combos: Array<Record<string, Json>> = [{}]
  for (const name of names) combos = combos.flatMap((c) => axes[name]!.map((v) => ({ ...c, [name]: v })))
  return combos.map((values, index) => ({
    index,
    values,
    id: names.length === 0 ? "all" : names.map((n) => `${n}=${typeof values[n] === "object" ? JSON.stringify(values[n]) : String(values[n])}`).join(",")
  }))
}
