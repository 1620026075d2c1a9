import { Cause, Clock, Effect, Layer, Option, Schema } from "effect"
import type { JsonObject } from "./config.js"
import { canonicalJson, sha256Hex } from "./hash.js"
import { PipelineSetupError, type PipelineRunError, StepFailedError, type StoreError } from "./errors.js"
import { type Executor, inProcessExecutor } from "./executor.js"
import type { AggregateNode, AnyPipeline, CellNode } from "./pipeline.js"
import type { Plan } from "./plan.js"
import { StepCheckpoint, checkpointDir, makeStepCheckpoint } from "./services/checkpoint.js"
import { Progress } from "./services/progress.js"
import { ResultsStore, type ResultsStoreShape } from "./services/store.js"
import type { AnyStep, Cell, StepContext } from "./step.js"

export interface RunOptions {
  readonly executor?: Executor
  /** Cells run at once (default 1). */
  readonly concurrency?: number
  /** Compute only this cell and stop (what a child process of the child-process executor does). */
  readonly onlyCell?: number | undefined
  /** What the run ran on (versions, commit...), written to `environment.json` when the run starts. */
  readonly environment?: JsonObject
  /** Who runs it (pid, host...), recorded in `run.json` so a live run can be told from a dead one. */
  readonly owner?: JsonObject
  /** How often `run.json`'s `heartbeatAt` is refreshed while running (default 30 s). */
  readonly heartbeatSeconds?: number
}

export interface RunResult {
  readonly cells: ReadonlyArray<{ readonly cell: Cell; readonly outputs: Readonly<Record<string, unknown>> }>
  readonly aggregate: Readonly<Record<string, unknown>>
}

const cachePath = (key: string) => `cache/${key}.json`

/** Runs one step with its checkpoint service, turning any failure into a `StepFailedError`. */
const runStep = (pipeline: AnyPipeline, step: AnyStep, config: unknown, inputs: unknown, context: StepContext, store: ResultsStoreShape) =>
  (step.run(config, inputs, context) as Effect.Effect<unknown, unknown, unknown>).pipe(
    Effect.provideServiceEffect(
      StepCheckpoint,
      Effect.map(Effect.serviceOption(Progress), (progress) => makeStepCheckpoint(store, context.key, (line) => Option.map(progress, (p) => p.log(line))))
    ),
    Effect.catchCause((cause) =>
      Cause.hasInterruptsOnly(cause)
        ? Effect.failCause(cause as Cause.Cause<never>)
        : Effect.fail(new StepFailedError({ pipeline: pipeline.name, step: step.name, cell: context.cell.id, cause: Cause.squash(cause) }))
    )
  )

/** A cache entry's stored output, or why it cannot be trusted (not JSON, checksum mismatch). */
const parseCacheEntry = (text: string): { readonly output: unknown } | string => {
  let entry: { output?: unknown; sha256?: string }
  try {
    entry = JSON.parse(text) as typeof entry
  } catch (e) {
    return `not JSON (${e instanceof Error ? e.message : String(e)})`
  }
  if (entry.sha256 !== undefined && sha256Hex(canonicalJson(entry.output)) !== entry.sha256) return "checksum mismatch"
  return { output: entry.output }
}

/** Reads a stored output (Some) or computes, stores and returns it; steps without an output codec are always computed. */
const storedOrRun = (pipeline: AnyPipeline, step: AnyStep, key: string, cellId: string, compute: Effect.Effect<unknown, StepFailedError | StoreError, any>) =>
  Effect.gen(function* () {
    const store = yield* ResultsStore
    if (!step.output) return yield* compute
    const codec = step.output
    const stored = yield* store.readText(cachePath(key))
    if (Option.isSome(stored)) {
      const entry = parseCacheEntry(stored.value)
      const decoded = typeof entry === "string" ? undefined : Schema.decodeUnknownExit(codec)(entry.output)
      if (decoded?._tag === "Success") return decoded.value
      // a corrupt entry is named and recomputed; one that no longer decodes (older code) is recomputed silently
      if (typeof entry === "string")
        (yield* Effect.serviceOption(Progress)).pipe(
          Option.map((p) => p.log(`discarding cached output ${store.root}/${cachePath(key)}: ${entry}; recomputing`))
        )
    }
    const output = yield* compute
    const encoded = yield* Effect.try({
      try: () => Schema.encodeSync(codec)(output),
      catch: (cause) => new StepFailedError({ pipeline: pipeline.name, step: step.name, cell: cellId, cause })
    })
    yield* store.writeJson(cachePath(key), { step: step.name, cell: cellId, key, output: encoded, sha256: sha256Hex(canonicalJson(encoded)) })
    yield* store.remove(checkpointDir(key))
    return output
  })

/** Evaluates one cell on demand: a step runs only if its output is needed and not stored. */
const evaluateCell = (plan: Plan, cell: Cell, memo: Map<string, Effect.Effect<unknown, any, any>>) =>
  Effect.gen(function* () {
    const store = yield* ResultsStore
    const nodes = new Map(plan.pipeline.nodes.filter((n): n is CellNode => n.scope === "cell").map((n) => [n.step.name, n]))
    const keys = plan.cellKeys[cell.index]!
    const configs = plan.cellStepConfigs[cell.index]!
    const outputOf = (name: string): Effect.Effect<unknown, StepFailedError | StoreError, any> =>
      Effect.gen(function* () {
        const key = keys[name]!
        const hit = memo.get(key)
        if (hit) return yield* hit
        const node = nodes.get(name)!
        const compute = Effect.gen(function* () {
          const inputs: Record<string, unknown> = {}
          for (const dep of node.needs) inputs[dep] = yield* outputOf(dep)
          const context: StepContext = { pipeline: plan.pipeline.name, step: name, cell, key }
          return yield* runStep(plan.pipeline, node.step, configs[name], inputs, context, store)
        })
        const once = yield* Effect.cached(storedOrRun(plan.pipeline, node.step, key, cell.id, compute))
        memo.set(key, once)
        return yield* once
      })
    // what a cell must produce: every stored step, and any step nothing else consumes
    const consumed = new Set([...nodes.values()].flatMap((n) => n.needs))
    const outputs: Record<string, unknown> = {}
    for (const [name, node] of nodes) if (node.step.output || !consumed.has(name)) outputs[name] = yield* outputOf(name)
    return outputs
  })

/** True when every stored step of the cell has its output in the store. */
const isCellStored = (plan: Plan, cell: Cell, store: ResultsStoreShape) =>
  Effect.gen(function* () {
    for (const node of plan.pipeline.nodes) {
      if (node.scope !== "cell" || !node.step.output) continue
      const text = yield* store.readText(cachePath(plan.cellKeys[cell.index]![node.step.name]!))
      if (Option.isNone(text) || typeof parseCacheEntry(text.value) === "string") return false
    }
    return true
  })

const runAggregates = (plan: Plan, cellOutputs: RunResult["cells"]) =>
  Effect.gen(function* () {
    const store = yield* ResultsStore
    const results: Record<string, unknown> = {}
    for (const node of plan.pipeline.nodes.filter((n): n is AggregateNode => n.scope === "aggregate")) {
      const name = node.step.name
      const key = plan.aggregateKeys[name]!
      const cell: Cell = { id: "aggregate", index: -1, values: {} }
      const inputs: Record<string, unknown> = {
        cells: cellOutputs.map(({ cell: c, outputs }) => ({ cell: c, outputs: Object.fromEntries(node.cellNeeds.map((n) => [n, outputs[n]])) }))
      }
      for (const dep of node.needs) inputs[dep] = results[dep]
      const compute = runStep(plan.pipeline, node.step, plan.aggregateConfigs[name], inputs, { pipeline: plan.pipeline.name, step: name, cell, key }, store)
      results[name] = yield* storedOrRun(plan.pipeline, node.step, key, cell.id, compute)
    }
    return results
  })

/** `running` with a heartbeat older than a minute or two means the owner died (kill -9, power loss). */
type RunState = "running" | "complete" | "failed" | "interrupted"

/** Writes `run.json`: the run's state, stamped with the time from `Clock`. */
const writeStatus = (store: ResultsStoreShape, plan: Plan, state: RunState, options: RunOptions, extra: JsonObject = {}) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const at = new Date(now).toISOString()
    return store.writeJson("run.json", {
      pipeline: plan.pipeline.name,
      state,
      cells: plan.cells.map((c) => c.id),
      at,
      ...(options.owner ? { owner: options.owner } : {}),
      ...(state === "running" ? { heartbeatAt: at, heartbeatSeconds: options.heartbeatSeconds ?? 30 } : {}),
      ...extra
    })
  })

const errorText = (cause: Cause.Cause<unknown>) => {
  const e = Cause.squash(cause)
  return e instanceof Error ? e.message : String(e)
}

/**
 * Runs a planned pipeline against the store and progress services in context: writes
 * `config.json` and a `run.json` status, evaluates every cell through the executor
 * (stored step outputs are reused, so a rerun skips what is done and a crashed step
 * resumes from its checkpoint), then the aggregate steps.
 */
export const runPlan = (plan: Plan, options: RunOptions = {}): Effect.Effect<RunResult | undefined, PipelineRunError, ResultsStore | Progress> =>
  Effect.gen(function* () {
    const store = yield* ResultsStore
    const progress = yield* Progress
    const layers = plan.pipeline.layers.map((make) => make(plan.config))
    const services = Layer.mergeAll(Layer.empty, ...layers).pipe(
      Layer.catchCause((cause) => Layer.effectDiscard(Effect.fail(new PipelineSetupError({ pipeline: plan.pipeline.name, cause: Cause.squash(cause) }))))
    )
    const provideLayers = <A, E>(eff: Effect.Effect<A, E, any>) =>
      Effect.provide(eff, services) as Effect.Effect<A, E | PipelineSetupError, ResultsStore | Progress>
    const memo = new Map<string, Effect.Effect<unknown, any, any>>()
    if (options.onlyCell !== undefined) {
      const cell = plan.cells[options.onlyCell]
      if (!cell) return yield* Effect.die(new RangeError(`cell ${options.onlyCell} does not exist (0..${plan.cells.length - 1})`))
      yield* provideLayers(evaluateCell(plan, cell, memo))
      return undefined
    }
    yield* store.writeJson("config.json", { pipeline: plan.pipeline.name, preset: plan.preset ?? null, overrides: plan.overrides, config: plan.encoded })
    yield* writeStatus(store, plan, "running", options)
    if (options.environment) yield* store.writeJson("environment.json", options.environment)
    const executor = options.executor ?? inProcessExecutor
    progress.log(`${plan.pipeline.name}: ${plan.cells.length} cell(s) via ${executor.name} executor`)
    const body = Effect.gen(function* () {
      // cells whose stored outputs all exist need no executor (no child process, no data loading)
      const pending: Cell[] = []
      for (const cell of plan.cells) if (!(yield* isCellStored(plan, cell, store))) pending.push(cell)
      if (pending.length < plan.cells.length) progress.log(`${plan.pipeline.name}: ${plan.cells.length - pending.length} cell(s) already stored`)
      yield* executor.runCells(pending, (cell) => Effect.asVoid(evaluateCell(plan, cell, memo)), options.concurrency ?? 1)
      const cells: Array<RunResult["cells"][number]> = []
      for (const cell of plan.cells) cells.push({ cell, outputs: yield* evaluateCell(plan, cell, memo) })
      const aggregate = yield* runAggregates(plan, cells)
      return { cells, aggregate } satisfies RunResult
    })
    // each write is uninterruptible, so none lands after the final state
    const heartbeat = writeStatus(store, plan, "running", options).pipe(
      Effect.ignore,
      Effect.uninterruptible,
      Effect.delay(`${options.heartbeatSeconds ?? 30} seconds`),
      Effect.forever
    )
    const result = yield* provideLayers(body).pipe(
      Effect.raceFirst(heartbeat as Effect.Effect<never>),
      Effect.onExit((exit) =>
        exit._tag === "Success"
          ? Effect.void
          : (Cause.hasInterruptsOnly(exit.cause)
              ? writeStatus(store, plan, "interrupted", options)
              : writeStatus(store, plan, "failed", options, { error: errorText(exit.cause) })
            ).pipe(Effect.ignore)
      )
    )
    yield* writeStatus(store, plan, "complete", options)
    return result
  }) as Effect.Effect<RunResult | undefined, PipelineRunError, ResultsStore | Progress>
