import { resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { type AnyPipeline, EventProgress, FileResultsStore, Pipeline, Progress, childProcessExecutor, describePipeline, formatDescription, inProcessExecutor, makePlan, relayProgress, runPlan, stderrProgress } from "@samlab/pipeline"
import { Effect, Layer } from "effect"
import { runEnvironment } from "../environment.js"
import { type ParsedArgs, UsageError, numberOption, parseArgs, rejectUnknown, single } from "../args.js"

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
  rejectUnknown(args, ["preset", "set", "out", "concurrency", "executor", "cell"])
  const file = args.positionals[0]
  const pipeline = await loadPipeline(file)
  const { preset, overrides } = planOptions(args)
  const out = resolve(single(args, "out") ?? `runs/${pipeline.name}${preset ? `-${preset}` : ""}`)
  const onlyCell = numberOption(args, "cell")
  const executorName = single(args, "executor") ?? "in-process"
  if (executorName !== "in-process" && executorName !== "child") throw new UsageError(`--executor must be in-process or child, got "${executorName}"`)
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
  const program = Effect.gen(function* () {
    const plan = yield* makePlan(pipeline, { preset, overrides })
    return yield* runPlan(plan, { executor, concurrency: numberOption(args, "concurrency") ?? 1, onlyCell, environment: runEnvironment(resolve(file!)) })
  })
  await Effect.runPromise(program.pipe(Effect.provide(Layer.mergeAll(FileResultsStore(out), progressLayer))))
  if (onlyCell === undefined) process.stderr.write(`samlab: results in ${out}\n`)
  return 0
}

/** `samlab list <file> [--json]`: steps, presets and the config with defaults. */
export const listCommand = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv, ["json"])
  rejectUnknown(args, ["json"])
  const description = describePipeline(await loadPipeline(args.positionals[0]))
  process.stdout.write(args.flags.has("json") ? `${JSON.stringify(description, null, 2)}\n` : `${formatDescription(description)}\n`)
  return 0
}
