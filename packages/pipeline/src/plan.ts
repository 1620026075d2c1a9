import { Effect } from "effect"
import { type JsonObject, applyOverrides, decodeConfig, encodeConfig, mergeConfig } from "./config.js"
import { ConfigDecodeError, PipelineDefinitionError, PresetNotFoundError } from "./errors.js"
import { contentHash } from "./hash.js"
import { type AnyPipeline, type Pipeline, type StepNode, expandMatrix } from "./pipeline.js"
import { checkSweep, sweptConfig } from "./sweep.js"
import type { Cell } from "./step.js"

/** A pipeline's steps checked, its config decoded and every step's config decoded for every cell: what will run. */
export interface Plan<C = unknown> {
  readonly pipeline: AnyPipeline
  readonly preset: string | undefined
  readonly overrides: readonly string[]
  /** Full encoded config (defaults filled): what `config.json` stores. */
  readonly encoded: JsonObject
  readonly config: C
  readonly cells: readonly Cell[]
  /** The decoded config each cell sees (its swept fields set), by cell index. */
  readonly cellConfigs: ReadonlyArray<C>
  /** Decoded config of each per-cell step, by cell index then step name. */
  readonly cellStepConfigs: ReadonlyArray<Readonly<Record<string, unknown>>>
  /** Content address of each per-cell step run, by cell index then step name. */
  readonly cellKeys: ReadonlyArray<Readonly<Record<string, string>>>
  readonly aggregateConfigs: Readonly<Record<string, unknown>>
  readonly aggregateKeys: Readonly<Record<string, string>>
}

export interface PlanOptions {
  readonly preset?: string | undefined
  readonly overrides?: readonly string[] | undefined
  /** An encoded config patch applied after the preset and before overrides (e.g. a saved `config.json`). */
  readonly patch?: JsonObject | undefined
}

const checkDefinition = (p: AnyPipeline): Effect.Effect<void, PipelineDefinitionError> => {
  const fail = (reason: string) => Effect.fail(new PipelineDefinitionError({ pipeline: p.name, reason }))
  const seen = new Map<string, StepNode>()
  for (const node of p.nodes) {
    const name = node.step.name
    if (seen.has(name)) return fail(`two steps are named "${name}"`)
    const cellDeps = node.scope === "cell" ? node.needs : node.cellNeeds
    for (const dep of cellDeps) {
      const d = seen.get(dep)
      if (!d || d.scope !== "cell") return fail(`step "${name}" needs "${dep}", which is not an earlier per-cell step`)
      if (node.scope === "aggregate" && !d.step.output)
        return fail(`aggregate step "${name}" needs "${dep}", which has no output codec, so its results cannot be stored`)
    }
    if (node.scope === "aggregate") {
      for (const dep of node.needs)
        if (seen.get(dep)?.scope !== "aggregate") return fail(`aggregate step "${name}" needs "${dep}", which is not an earlier aggregate step`)
    }
    seen.set(name, node)
  }
  return Effect.void
}

/** Runs a pipeline's own config mapping (matrix, step wiring); what it throws is a config error, not a crash. */
const declared = <A>(pipeline: string, step: string | undefined, f: () => A): Effect.Effect<A, ConfigDecodeError> =>
  Effect.try({ try: f, catch: (e) => new ConfigDecodeError({ pipeline, step, issues: [{ path: "", message: e instanceof Error ? e.message : String(e) }] }) })

/** Resolves preset, patch and overrides into a decoded config, then decodes every step's config. Runs nothing. */
export const makePlan = <C>(
  pipeline: Pipeline<C, any, any, any, any, any, any>,
  options: PlanOptions = {}
): Effect.Effect<Plan<C>, ConfigDecodeError | PresetNotFoundError | PipelineDefinitionError> =>
  Effect.gen(function* () {
    yield* checkDefinition(pipeline)
    const presetName = options.preset
    let encoded: JsonObject = {}
    if (presetName !== undefined) {
      const preset = pipeline.presets[presetName]
      if (!preset) return yield* Effect.fail(new PresetNotFoundError({ pipeline: pipeline.name, preset: presetName, available: Object.keys(pipeline.presets) }))
      encoded = preset
    }
    if (options.patch) encoded = mergeConfig(encoded, options.patch)
    encoded = yield* applyOverrides(pipeline.config, encoded, options.overrides ?? [], pipeline.name)
    const config = yield* decodeConfig(pipeline.config, encoded, { pipeline: pipeline.name })
    const fullEncoded = encodeConfig(pipeline.config, config)
    const matrix = yield* declared(pipeline.name, undefined, () => pipeline.matrixOf(config))
    const sweep = yield* declared(pipeline.name, undefined, () => checkSweep(fullEncoded, pipeline.sweepOf(config), matrix))
    const cells = expandMatrix({ ...matrix, ...sweep })
    const swept = Object.keys(sweep).length > 0
    const cellConfigs: C[] = []
    const cellStepConfigs: Array<Record<string, unknown>> = []
    const cellKeys: Array<Record<string, string>> = []
    for (const cell of cells) {
      const cellConfig = swept ? yield* decodeConfig(pipeline.config, sweptConfig(fullEncoded, sweep, cell.values), { pipeline: pipeline.name }) : config
      cellConfigs.push(cellConfig)
      const configs: Record<string, unknown> = {}
      const keys: Record<string, string> = {}
      for (const node of pipeline.nodes) {
        if (node.scope !== "cell") continue
        const step = node.step
        const encodedStep = yield* declared(pipeline.name, step.name, () => node.configOf(cellConfig, cell))
        const decoded = yield* decodeConfig(step.config, encodedStep, { pipeline: pipeline.name, step: step.name })
        configs[step.name] = decoded
        keys[step.name] = contentHash(
          step.name,
          step.version,
          encodeConfig(step.config, decoded),
          node.needs.map((n) => keys[n])
        )
      }
      cellStepConfigs.push(configs)
      cellKeys.push(keys)
    }
    const aggregateConfigs: Record<string, unknown> = {}
    const aggregateKeys: Record<string, string> = {}
    for (const node of pipeline.nodes) {
      if (node.scope !== "aggregate") continue
      const step = node.step
      const encodedStep = yield* declared(pipeline.name, step.name, () => node.configOf(config))
      const decoded = yield* decodeConfig(step.config, encodedStep, { pipeline: pipeline.name, step: step.name })
      aggregateConfigs[step.name] = decoded
      aggregateKeys[step.name] = contentHash(
        step.name,
        step.version,
        encodeConfig(step.config, decoded),
        cellKeys.map((k) => node.cellNeeds.map((n) => k[n])),
        node.needs.map((n) => aggregateKeys[n])
      )
    }
    return {
      pipeline,
      preset: presetName,
      overrides: options.overrides ?? [],
      encoded: fullEncoded,
      config,
      cells,
      cellConfigs,
      cellStepConfigs,
      cellKeys,
      aggregateConfigs,
      aggregateKeys
    }
  })
