import type { Layer, Schema } from "effect"
import type { Json, JsonObject } from "./config.js"
import type { AnyStep, Cell, CellValues, Step } from "./step.js"

/** Per-cell steps see the named outputs of earlier steps of the same cell. */
export interface CellNode {
  readonly scope: "cell"
  readonly step: AnyStep
  readonly needs: readonly string[]
  /** The step's encoded config from the cell's config (sweep applied) and the cell. */
  readonly configOf: (config: any, cell: Cell<any>) => unknown
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

/** The cell values of axes: each axis name with the type of its elements. */
export type AxesValues<A extends MatrixAxes> = { readonly [K in keyof A]: A[K][number] }

/** Swept config fields: a dotted config path and the values it takes, e.g. `{ "noise.rate": [0, 0.2] }`. */
export type SweepAxes = Readonly<Record<string, ReadonlyArray<Json>>>

/** The outputs of one cell, as aggregate steps receive them. */
export interface CellOutputs<O> {
  readonly cell: Cell
  readonly outputs: O
}

type InputsMismatch<Need, Have> = [Have] extends [Need] ? unknown : { readonly "step inputs do not match the outputs it needs": Need }

/** Keys of the step's encoded config that `pick` may copy from the pipeline config: present in both with a fitting type. */
export type PickableKeys<C, SCE> = { [K in keyof C & keyof SCE]: [C[K]] extends [SCE[K]] ? K : never }[keyof C & keyof SCE] & string

/**
 * How a step's encoded config is made: `pick` copies the named fields of the (cell's)
 * pipeline config as they are; `config` gives the rest (`X`: no field the step lacks). It
 * may be left out when the picked fields and the step's defaults are all the step needs.
 */
export type ConfigWiring<Args extends readonly unknown[], SCE, P extends PropertyKey, X> = { readonly pick?: readonly P[] } & ({} extends Omit<SCE, P>
  ? { readonly config?: (...args: Args) => X }
  : { readonly config: (...args: Args) => X }) &
  ([Exclude<keyof X, keyof SCE>] extends [never] ? unknown : { readonly "fields the step's config does not have": Exclude<keyof X, keyof SCE> })

/** The encoded step config from picked fields and the wiring's own function. */
const stepConfigOf =
  <Args extends readonly unknown[]>(wiring: { readonly pick?: readonly PropertyKey[]; readonly config?: (...args: Args) => unknown }) =>
  (...args: Args): unknown => {
    const config = args[0] as Readonly<Record<PropertyKey, unknown>>
    // an optional field the config leaves out stays out (the step's own default applies)
    const picked = Object.fromEntries((wiring.pick ?? []).filter((k) => config[k] !== undefined).map((k) => [k, config[k]]))
    return { ...picked, ...(wiring.config?.(...args) ?? {}) }
  }

/**
 * A pipeline is a value: a name, a config Schema with named presets, a matrix of cells
 * (seeds, methods, ...), swept config fields, per-cell steps and aggregate steps. It can be
 * printed, validated without running, and run by the runner. `V` types the cells' values;
 * `Outs`/`AggOuts` accumulate the typed outputs of the steps added so far; `E` and `R`
 * their errors and services.
 */
export class Pipeline<C, CE, V extends CellValues, Outs, AggOuts, E, R> {
  constructor(
    readonly name: string,
    readonly description: string,
    readonly config: Schema.Codec<C, CE>,
    readonly presets: Readonly<Record<string, JsonObject>>,
    readonly matrixOf: (config: C) => MatrixAxes,
    readonly sweepOf: (config: C) => SweepAxes,
    readonly nodes: readonly StepNode[],
    readonly layers: ReadonlyArray<(config: C) => Layer.Layer<any, any, any>>
  ) {}

  /** Named partial configs (encoded form); `--preset NAME` starts from one of them. */
  withPresets(presets: Readonly<Record<string, JsonObject>>): Pipeline<C, CE, V, Outs, AggOuts, E, R> {
    return new Pipeline(this.name, this.description, this.config, { ...this.presets, ...presets }, this.matrixOf, this.sweepOf, this.nodes, this.layers)
  }

  /** The cells to run: the cartesian product of the axes, first axis outermost; steps see each cell's values typed. */
  matrix<const A extends MatrixAxes>(axes: (config: C) => A): Pipeline<C, CE, AxesValues<A>, Outs, AggOuts, E, R> {
    return new Pipeline(this.name, this.description, this.config, this.presets, axes, this.sweepOf, this.nodes, this.layers)
  }

  /**
   * Extra matrix axes over config fields, e.g. `c => c.sweep` with `{ "noise.rate": [0, 0.2] }`:
   * the runner sets each cell's value at its path and decodes the config again, so per-cell
   * steps receive the cell's config (a path the config lacks, or a bad value, is a config error).
   */
  sweep(axes: (config: C) => SweepAxes): Pipeline<C, CE, V, Outs, AggOuts, E, R> {
    return new Pipeline(this.name, this.description, this.config, this.presets, this.matrixOf, axes, this.nodes, this.layers)
  }

  /** Adds a per-cell step fed by the outputs of the steps it `needs`; its config comes from the cell's config and the cell. */
  step<
    const N extends string,
    SC,
    SCE,
    I,
    O,
    E2,
    R2,
    const K extends keyof Outs & string = never,
    const P extends PickableKeys<C, SCE> = never,
    X extends Omit<SCE, P> = Omit<SCE, P>
  >(
    step: Step<N, SC, SCE, I, O, E2, R2> & InputsMismatch<I, Pick<Outs, K>>,
    wiring: { readonly needs?: readonly K[] } & ConfigWiring<[config: C, cell: Cell<V>], SCE, P, X>
  ): Pipeline<C, CE, V, Outs & { readonly [P in N]: O }, AggOuts, E | E2, R | R2> {
    const node: CellNode = { scope: "cell", step, needs: wiring.needs ?? [], configOf: stepConfigOf<[C, Cell<V>]>(wiring) }
    return new Pipeline(this.name, this.description, this.config, this.presets, this.matrixOf, this.sweepOf, [...this.nodes, node], this.layers)
  }

  /** Adds a step that runs once over every cell's outputs of `cellNeeds` (and earlier aggregate outputs of `needs`); its config comes from the pipeline config. */
  aggregate<
    const N extends string,
    SC,
    SCE,
    I,
    O,
    E2,
    R2,
    const K extends keyof Outs & string = never,
    const A extends keyof AggOuts & string = never,
    const P extends PickableKeys<C, SCE> = never,
    X extends Omit<SCE, P> = Omit<SCE, P>
  >(
    step: Step<N, SC, SCE, I, O, E2, R2> & InputsMismatch<I, { readonly cells: ReadonlyArray<CellOutputs<Pick<Outs, K>>> } & Pick<AggOuts, A>>,
    wiring: { readonly cellNeeds?: readonly K[]; readonly needs?: readonly A[] } & ConfigWiring<[config: C], SCE, P, X>
  ): Pipeline<C, CE, V, Outs, AggOuts & { readonly [P in N]: O }, E | E2, R | R2> {
    const node: AggregateNode = { scope: "aggregate", step, cellNeeds: wiring.cellNeeds ?? [], needs: wiring.needs ?? [], configOf: stepConfigOf<[C]>(wiring) }
    return new Pipeline(this.name, this.description, this.config, this.presets, this.matrixOf, this.sweepOf, [...this.nodes, node], this.layers)
  }

  /** Provides services to every step, built from the decoded config (e.g. the tensor backend it names). */
  provide<ROut, LE>(layer: (config: C) => Layer.Layer<ROut, LE, never>): Pipeline<C, CE, V, Outs, AggOuts, E | LE, Exclude<R, ROut>> {
    return new Pipeline(this.name, this.description, this.config, this.presets, this.matrixOf, this.sweepOf, this.nodes, [...this.layers, layer])
  }
}

/** Starts a pipeline declaration. */
export const makePipeline = <C, CE>(definition: {
  readonly name: string
  readonly description?: string
  readonly config: Schema.Codec<C, CE>
  readonly presets?: Readonly<Record<string, JsonObject>>
}): Pipeline<C, CE, {}, {}, {}, never, never> =>
  new Pipeline(
    definition.name,
    definition.description ?? "",
    definition.config,
    definition.presets ?? {},
    () => ({}),
    () => ({}),
    [],
    []
  )

export type AnyPipeline = Pipeline<any, any, any, any, any, any, any>

/** The typed cell values of a pipeline (its matrix axes). */
export type PipelineCellValues<P> = P extends Pipeline<any, any, infer V, any, any, any, any> ? V : never

/** The outputs of a pipeline's per-cell steps, by step name. */
export type PipelineOutputs<P> = P extends Pipeline<any, any, any, infer Outs, any, any, any> ? Outs : never

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
