import { resolve } from "node:path"
import {
  PostgresResultsStore,
  cellStatuses,
  connectDb,
  defaultQueueName,
  formatCellStatuses,
  queueExecutor,
  redactUrl,
  runCellJob,
  runName,
  startCellWorker,
  workerName
} from "@samlab/distributed"
import { type AnyPipeline, Progress, makePlan, runPlan, stderrProgress } from "@samlab/pipeline"
import { Effect, Layer } from "effect"
import { runEnvironment } from "../environment.js"
import { type ParsedArgs, UsageError, numberOption, parseArgs, rejectUnknown, single } from "../args.js"
import { loadPipeline } from "./run.js"

/** The results database and the queue: `--store` / `SAMLAB_STORE`, `--queue` / `SAMLAB_QUEUE` (default the local Redis). */
const services = (args: ParsedArgs) => {
  const store = single(args, "store") ?? process.env["SAMLAB_STORE"]
  if (!store) throw new UsageError("missing --store postgres://... (or SAMLAB_STORE)")
  return { store, queue: single(args, "queue") ?? process.env["SAMLAB_QUEUE"] ?? "redis://127.0.0.1:6379", queueName: single(args, "queue-name") ?? defaultQueueName }
}

/** `samlab run <file> --executor queue --store URL [--queue URL] [--run NAME] [--attempts N]`: enqueue every cell, wait for the workers, aggregate. */
export const runOnQueue = async (args: ParsedArgs, file: string, pipeline: AnyPipeline, preset: string | undefined, overrides: readonly string[]): Promise<number> => {
  const { store, queue, queueName } = services(args)
  const plan = await Effect.runPromise(makePlan(pipeline, { preset, overrides }))
  const run = single(args, "run") ?? runName(plan)
  const db = await connectDb(store)
  const progress = stderrProgress()
  try {
    progress.log(`samlab: run ${run} in ${db.url}; start workers with: samlab worker --store ${redactUrl(store)} --queue ${redactUrl(queue)}`)
    const executor = queueExecutor({
      queueUrl: queue,
      queueName,
      db,
      attempts: numberOption(args, "attempts") ?? 3,
      log: progress.log,
      job: (cell) => ({ run, pipeline: file, preset, overrides, cell: cell.index, cellId: cell.id })
    })
    await Effect.runPromise(
      runPlan(plan, { executor, environment: runEnvironment(resolve(file)) }).pipe(Effect.provide(Layer.mergeAll(PostgresResultsStore(db, run), Layer.succeed(Progress, progress))))
    )
    progress.log(`samlab: results of run ${run} in ${db.url} (samlab status ${run} --store ...)`)
    return 0
  } finally {
    await db.close()
  }
}

/** `samlab worker --store URL [--queue URL] [--lease-seconds S]`: pull cells and run them until stopped. */
export const workerCommand = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv)
  rejectUnknown(args, ["store", "queue", "queue-name", "lease-seconds"])
  const { store, queue, queueName } = services(args)
  const db = await connectDb(store)
  const log = (line: string) => process.stderr.write(`${line}\n`)
  const pipelines = new Map<string, Promise<AnyPipeline>>()
  const load = (file: string) => {
    if (!pipelines.has(file)) pipelines.set(file, loadPipeline(file))
    return pipelines.get(file)!
  }
  const leaseSeconds = numberOption(args, "lease-seconds") ?? 60
  const worker = startCellWorker({
    queueUrl: queue,
    queueName,
    db,
    leaseMs: leaseSeconds * 1000,
    log,
    runCell: (job, onEpoch) => runCellJob(job, { db, loadPipeline: load, onEpoch, log: (line) => log(`[${job.cellId}] ${line}`) })
  })
  log(`samlab worker ${workerName()}: pulling cells from ${redactUrl(queue)} (${queueName}) into ${db.url}`)
  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      log(`samlab worker: ${signal}, finishing the current cell's epoch and stopping`)
      void worker.close().then(done)
    }
    process.once("SIGINT", stop)
    process.once("SIGTERM", stop)
  })
  await db.close()
  return 0
}

/** `samlab status <run> --store URL`: each cell pending, running (worker, epoch), done or failed (why). */
export const statusCommand = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv)
  rejectUnknown(args, ["store"])
  const run = args.positionals[0]
  if (!run) throw new UsageError("missing the run name (samlab run prints it)")
  const db = await connectDb(services(args).store)
  try {
    const cells = await cellStatuses(db, run)
    if (cells.length === 0) throw new Error(`no run "${run}" in ${db.url}`)
    process.stdout.write(`${formatCellStatuses(cells)}\n`)
    return cells.some((c) => c.state === "failed") ? 1 : 0
  } finally {
    await db.close()
  }
}
