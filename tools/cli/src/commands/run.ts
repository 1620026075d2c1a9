import { resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { join } from "node:path"
import {
  type AnyPipeline,
  EventProgress,
  FileResultsStore,
  Pipeline,
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
import { Cause, Effect, Exit, Fiber, Layer } from "effect"
import { runEnvironment } from "../environment.js"
import { type ParsedArgs, UsageError, numberOption, parseArgs, positiveIntOption, rejectUnknown, single } from "../args.js"

const bin = fileURLToPath(new URL("../../bin/samlab.mjs", import.meta.url))

/** Imports a pipeline file (TypeScript or JavaScript) and takes its default (or `pipeline`) export. */
export const loadPipeline = async (file: string | undefined): Promise<AnyPipeline> => {
  if (!file) throw new UsageError("missing the pipeline file")
  const path = resolve(file)
  let mod: Record<string, unknown>
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>
  } catch (e) {
    throw new Error(`cannot load pipeline file ${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const candidate = mod["default"] ?? mod["pipeline"]
  if (!(candidate instanceof Pipeline)) throw new Error(`${path} has no pipeline as its default export (or an export named "pipeline")`)
  return candidate
}

const planOptions = (args: ParsedArgs) => ({ preset: single(args, "preset"), overrides: args.options["set"] ?? [] })

/** `samlab run <file> [--preset P] [--set k=v ...] [--out DIR] [--concurrency N] [--executor in-process|child]` */
export const runCommand = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv)
  rejectUnknown(args, ["preset", "set", "out", "concurrency", "executor", "cell", "store", "queue", "queue-name", "run", "attempts"])
  const file = args.positionals[0]
  const pipeline = await loadPipeline(file)
  const { preset, overrides } = planOptions(args)
  const out = resolve(single(args, "out") ?? `runs/${pipeline.name}${preset ? `-${preset}` : ""}`)
  const onlyCell = numberOption(args, "cell")
  const concurrency = positiveIntOption(args, "concurrency") ?? 1
  const executorName = single(args, "executor") ?? "in-process"
  if (executorName === "queue") return (await import("./distributed.js")).runOnQueue(args, file!, pipeline, preset, overrides)
  if (executorName !== "in-process" && executorName !== "child") throw new UsageError(`--executor must be in-process, child or queue, got "${executorName}"`)
  // A child reports progress as events; the parent draws every running cell's bar on its own line.
  const progress = stderrProgress()
  const progressLayer = process.env["SAMLAB_PROGRESS"] === "events" ? EventProgress : Layer.succeed(Progress, progress)
  const relay = relayProgress(progress)
  const executor =
    executorName === "child"
      ? childProcessExecutor(
          (cell) => ({
            command: process.execPath,
            args: [bin, "run", file!, "--out", out, "--cell", String(cell.index), ...(preset ? ["--preset", preset] : []), ...overrides.flatMap((o) => ["--set", o])],
            env: { SAMLAB_PROGRESS: "events" }
          }),
          (line, cell) => relay(line, cell.id)
        )
      : inProcessExecutor
  const plan = await Effect.runPromise(makePlan(pipeline, { preset, overrides }))
  // A child computes one cell for a parent that holds the folder; it stops when that parent is gone (kill -9).
  if (onlyCell !== undefined) stopWhenParentDies()
  // One run at a time per folder: a second one waits (and then reuses what the first stored).
  const lease =
    onlyCell === undefined
      ? await acquireLease(join(out, ".samlab-lock"), `samlab run ${pipeline.name}${preset ? ` --preset ${preset}` : ""}`, {
          onWait: (h) => process.stderr.write(`samlab: ${out} is in use (${describeHolder(h)}); waiting for it to finish\n`),
          onStale: (h, why) => process.stderr.write(`samlab: taking over ${out} from a dead run (${describeHolder(h)}: ${why})\n`)
        })
      : undefined
  let stoppedCode: number | undefined
  try {
    const owner = lease ? { pid: lease.holder.pid, host: lease.holder.host, startedAt: lease.holder.startedAt } : undefined
    const program = runPlan(plan, { executor, concurrency, onlyCell, environment: runEnvironment(resolve(file!)), ...(owner ? { owner } : {}) })
    const fiber = Effect.runFork(program.pipe(Effect.provide(Layer.mergeAll(FileResultsStore(out), progressLayer))))
    // SIGINT / SIGTERM interrupt the run: children are stopped, run.json says interrupted
    let stoppedBy: NodeJS.Signals | undefined
    const stop = (signal: NodeJS.Signals) => {
      stoppedBy = signal
      process.stderr.write(`samlab: ${signal}, stopping${onlyCell === undefined ? " (run.json will say interrupted)" : ""}\n`)
      Effect.runFork(Fiber.interrupt(fiber))
    }
    process.once("SIGINT", stop)
    process.once("SIGTERM", stop)
    const exit = await Effect.runPromise(Fiber.await(fiber))
    process.off("SIGINT", stop)
    process.off("SIGTERM", stop)
    if (stoppedBy) stoppedCode = 128 + (stoppedBy === "SIGINT" ? 2 : 15)
    else if (Exit.isFailure(exit)) throw Cause.squash(exit.cause)
  } finally {
    await lease?.release()
  }
  // an interrupted training promise may still be computing: end the process rather than let it run on
  if (stoppedCode !== undefined) process.exit(stoppedCode)
  if (onlyCell === undefined) process.stderr.write(`samlab: results in ${out}\n`)
  return 0
}

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
export const listCommand = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv, ["json"])
  rejectUnknown(args, ["json"])
  const description = describePipeline(await loadPipeline(args.positionals[0]))
  process.stdout.write(args.flags.has("json") ? `${JSON.stringify(description, null, 2)}\n` : `${formatDescription(description)}\n`)
  return 0
}
