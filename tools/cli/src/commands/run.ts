import { join, resolve } from "node:path"
import {
  EventProgress,
  FileResultsStore,
  Progress,
  acquireLease,
  childProcessExecutor,
  describeHolder,
  describePipeline,
  formatDescription,
  inProcessExecutor,
  makePlan,
  relayProgress,
  runPlan,
  stderrProgress
} from "@samlab/pipeline"
import { Effect, Exit, Fiber, Layer, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { samlabBin } from "../bin-path.js"
import { runEnvironment } from "../environment.js"
import { commandFailure } from "../errors.js"
import { loadPipeline } from "../load-pipeline.js"
import { prepareOutFolder } from "../out-folder.js"
import { runOnQueue, serviceFlags } from "./distributed.js"

const pipelineArgument = Argument.String("pipeline").pipe(
  Argument.withDescription("a pipeline file (TypeScript or JavaScript) whose default export is a pipeline")
)

const load = (file: string, command: string) => Effect.tryPromise({ try: () => loadPipeline(file), catch: commandFailure(command) })

/** `samlab run <file> [--preset P] [--set k=v ...] [--out DIR] [--concurrency N] [--executor in-process|child]` */
export const runCli = Command.make(
  "run",
  {
    file: pipelineArgument,
    preset: Flag.String("preset").pipe(Flag.optional, Flag.withDescription("a preset of the pipeline (see samlab list)")),
    overrides: Flag.String("set").pipe(
      Flag.atLeast(0),
      Flag.withDescription("override a config value, path=value (value as JSON or a bare string); repeatable, applied in order")
    ),
    out: Flag.String("out").pipe(Flag.optional, Flag.withDescription("the run folder (default runs/<pipeline>[-<preset>])")),
    concurrency: Flag.Int("concurrency").pipe(
      Flag.withDefault(1),
      Flag.withDescription("cells run at once (a whole number of at least 1)"),
      Flag.mapTryCatch(
        (n) => {
          if (n < 1) throw new Error(`must be a whole number of at least 1, got ${n}`)
          return n
        },
        (e) => (e instanceof Error ? e.message : String(e))
      )
    ),
    executor: Flag.Literals("executor", ["in-process", "child", "queue"]).pipe(
      Flag.withDefault("in-process" as const),
      Flag.withDescription("run cells in this process, each in a child process, or on workers through a queue (results in PostgreSQL)")
    ),
    ...serviceFlags,
    run: Flag.String("run").pipe(Flag.optional, Flag.withDescription("with --executor queue: the run's name (default from the plan)")),
    attempts: Flag.Int("attempts").pipe(Flag.withDefault(3), Flag.withDescription("with --executor queue: tries per cell before it counts as failed")),
    cell: Flag.Int("cell").pipe(Flag.optional, Flag.withHidden, Flag.withDescription("compute only this cell (what a child process does)"))
  },
  Effect.fn(function* (o) {
    const file = o.file
    const pipeline = yield* load(file, "run")
    const preset = Option.getOrUndefined(o.preset)
    const overrides = o.overrides
    const out = resolve(Option.getOrElse(o.out, () => `runs/${pipeline.name}${preset ? `-${preset}` : ""}`))
    const onlyCell = Option.getOrUndefined(o.cell)
    if (o.executor === "queue") return yield* Effect.tryPromise({ try: () => runOnQueue(o, file, pipeline, preset, overrides), catch: commandFailure("run") })
    // A child reports progress as events; the parent draws every running cell's bar on its own line.
    const progress = stderrProgress()
    const progressLayer = process.env["SAMLAB_PROGRESS"] === "events" ? EventProgress : Layer.succeed(Progress, progress)
    const relay = relayProgress(progress)
    const executor =
      o.executor === "child"
        ? childProcessExecutor(
            (cell) => ({
              command: process.execPath,
              args: [
                samlabBin,
                "run",
                file,
                "--out",
                out,
                "--cell",
                String(cell.index),
                ...(preset ? ["--preset", preset] : []),
                ...overrides.flatMap((v) => ["--set", v])
              ],
              env: { SAMLAB_PROGRESS: "events" }
            }),
            (line, cell) => relay(line, cell.id)
          )
        : inProcessExecutor
    const plan = yield* makePlan(pipeline, { preset, overrides }).pipe(Effect.mapError(commandFailure("run")))
    // A child computes one cell for a parent that holds the folder; it stops when that parent is gone (kill -9).
    if (onlyCell !== undefined) stopWhenParentDies()
    else yield* Effect.tryPromise({ try: () => prepareOutFolder(out), catch: commandFailure("run") })
    const stoppedBy = yield* Effect.scoped(
      Effect.gen(function* () {
        // One run at a time per folder: a second one waits (and then reuses what the first stored).
        const lease =
          onlyCell === undefined
            ? yield* Effect.acquireRelease(
                Effect.tryPromise({
                  try: () =>
                    acquireLease(join(out, ".samlab-lock"), `samlab run ${pipeline.name}${preset ? ` --preset ${preset}` : ""}`, {
                      onWait: (h) => process.stderr.write(`samlab: ${out} is in use (${describeHolder(h)}); waiting for it to finish\n`),
                      onStale: (h, why) => process.stderr.write(`samlab: taking over ${out} from a dead run (${describeHolder(h)}: ${why})\n`)
                    }),
                  catch: commandFailure("run")
                }),
                (l) => Effect.promise(() => l.release())
              )
            : undefined
        const owner = lease ? { pid: lease.holder.pid, host: lease.holder.host, startedAt: lease.holder.startedAt } : undefined
        const program = runPlan(plan, {
          executor,
          concurrency: o.concurrency,
          onlyCell,
          environment: runEnvironment(resolve(file)),
          ...(owner ? { owner } : {})
        })
        const fiber = yield* Effect.forkChild(program.pipe(Effect.provide(Layer.mergeAll(FileResultsStore(out), progressLayer))))
        // SIGINT / SIGTERM interrupt the run: children are stopped, run.json says interrupted
        let signal: NodeJS.Signals | undefined
        const stop = (s: NodeJS.Signals) => {
          signal = s
          process.stderr.write(`samlab: ${s}, stopping${onlyCell === undefined ? " (run.json will say interrupted)" : ""}\n`)
          Effect.runFork(Fiber.interrupt(fiber))
        }
        process.once("SIGINT", stop)
        process.once("SIGTERM", stop)
        yield* Effect.addFinalizer(() => Effect.sync(() => void (process.off("SIGINT", stop), process.off("SIGTERM", stop))))
        const exit = yield* Fiber.await(fiber)
        if (signal === undefined && Exit.isFailure(exit)) return yield* Effect.failCause(exit.cause).pipe(Effect.mapError(commandFailure("run")))
        return signal
      })
    )
    // an interrupted training promise may still be computing: end the process rather than let it run on
    if (stoppedBy !== undefined) process.exit(128 + (stoppedBy === "SIGINT" ? 2 : 15))
    if (onlyCell === undefined) process.stderr.write(`samlab: results in ${out}\n`)
  })
).pipe(
  Command.withDescription("run a pipeline: every cell of its matrix, then the aggregate steps; stored steps are reused, a killed run resumes"),
  Command.withExamples([
    { command: "samlab run pipelines/paper-cifar10.ts --preset quick", description: "SGD vs SAM on CIFAR-10 with 30% label noise" },
    {
      command: "samlab run pipelines/paper-cifar10.ts --preset cpu --set noise.rate=0.4 --executor child --concurrency 2 --out runs/cpu40",
      description: "a preset with an override, two cells at a time"
    }
  ])
)

/** Exits (code 129) once the parent process is gone, checked every second; never keeps the process alive. */
const stopWhenParentDies = () => {
  const parent = process.ppid
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      process.stderr.write("samlab: the parent run is gone; stopping this cell\n")
      process.exit(129)
    }
  }, 1000)
  timer.unref()
}

/** `samlab list <file> [--json]`: steps, presets and the config with defaults. */
export const listCli = Command.make(
  "list",
  { file: pipelineArgument, json: Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("print one JSON object")) },
  (o) =>
    load(o.file, "list").pipe(
      Effect.map((pipeline) => {
        const description = describePipeline(pipeline)
        process.stdout.write(o.json ? `${JSON.stringify(description, null, 2)}\n` : `${formatDescription(description)}\n`)
      })
    )
).pipe(Command.withDescription("a pipeline's steps, presets and its config with the defaults"))
