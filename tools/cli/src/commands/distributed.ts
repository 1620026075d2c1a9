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
import { Effect, Layer, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { runEnvironment } from "../environment.js"
import { commandFailure } from "../errors.js"
import { loadPipeline } from "../load-pipeline.js"

/** The flags naming the results database and the queue. */
export const serviceFlags = {
  store: Flag.String("store").pipe(Flag.optional, Flag.withDescription("the results database, postgres://... (or SAMLAB_STORE)")),
  queue: Flag.String("queue").pipe(Flag.optional, Flag.withDescription("the job queue, redis://... (or SAMLAB_QUEUE; default the local Redis)")),
  queueName: Flag.String("queue-name").pipe(Flag.withDefault(defaultQueueName), Flag.withDescription("the queue's name"))
}

export interface ServiceOptions {
  readonly store: Option.Option<string>
  readonly queue: Option.Option<string>
  readonly queueName: string
}

/** The results database and the queue: `--store` / `SAMLAB_STORE`, `--queue` / `SAMLAB_QUEUE` (default the local Redis). */
const services = (o: ServiceOptions) => {
  const store = Option.getOrUndefined(o.store) ?? process.env["SAMLAB_STORE"]
  if (!store) throw new Error("missing --store postgres://... (or SAMLAB_STORE)")
  return { store, queue: Option.getOrUndefined(o.queue) ?? process.env["SAMLAB_QUEUE"] ?? "redis://127.0.0.1:6379", queueName: o.queueName }
}

export interface QueueRunOptions extends ServiceOptions {
  readonly run: Option.Option<string>
  readonly attempts: number
}

/** `samlab run <file> --executor queue --store URL [--queue URL] [--run NAME] [--attempts N]`: enqueue every cell, wait for the workers, aggregate. */
export const runOnQueue = async (
  o: QueueRunOptions,
  file: string,
  pipeline: AnyPipeline,
  preset: string | undefined,
  overrides: readonly string[]
): Promise<void> => {
  const { store, queue, queueName } = services(o)
  const plan = await Effect.runPromise(makePlan(pipeline, { preset, overrides }))
  const run = Option.getOrUndefined(o.run) ?? runName(plan)
  const db = await connectDb(store)
  const progress = stderrProgress()
  try {
    progress.log(`samlab: run ${run} in ${db.url}; start workers with: samlab worker --store ${redactUrl(store)} --queue ${redactUrl(queue)}`)
    const executor = queueExecutor({
      queueUrl: queue,
      queueName,
      db,
      attempts: o.attempts,
      log: progress.log,
      job: (cell) => ({ run, pipeline: file, preset, overrides, cell: cell.index, cellId: cell.id })
    })
    await Effect.runPromise(
      runPlan(plan, { executor, environment: runEnvironment(resolve(file)) }).pipe(
        Effect.provide(Layer.mergeAll(PostgresResultsStore(db, run), Layer.succeed(Progress, progress)))
      )
    )
    progress.log(`samlab: results of run ${run} in ${db.url} (samlab status ${run} --store ...)`)
  } finally {
    await db.close()
  }
}

/** `samlab worker --store URL [--queue URL] [--lease-seconds S]`: pull cells and run them until stopped. */
const worker = async (o: ServiceOptions & { readonly leaseSeconds: number }): Promise<void> => {
  const { store, queue, queueName } = services(o)
  const db = await connectDb(store)
  const log = (line: string) => process.stderr.write(`${line}\n`)
  const pipelines = new Map<string, Promise<AnyPipeline>>()
  const load = (file: string) => {
    if (!pipelines.has(file)) pipelines.set(file, loadPipeline(file))
    return pipelines.get(file)!
  }
  const leaseSeconds = o.leaseSeconds
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
}

/** `samlab status <run> --store URL`: each cell pending, running (worker, epoch), done or failed (why). */
const status = async (run: string, o: ServiceOptions): Promise<void> => {
  const db = await connectDb(services(o).store)
  try {
    const cells = await cellStatuses(db, run)
    if (cells.length === 0) throw new Error(`no run "${run}" in ${db.url}`)
    process.stdout.write(`${formatCellStatuses(cells)}\n`)
    if (cells.some((c) => c.state === "failed")) throw new Error(`${cells.filter((c) => c.state === "failed").length} cell(s) of run ${run} failed`)
  } finally {
    await db.close()
  }
}

export const workerCli = Command.make(
  "worker",
  {
    ...serviceFlags,
    leaseSeconds: Flag.Int("lease-seconds").pipe(Flag.withDefault(60), Flag.withDescription("a cell whose worker is silent this long goes back to the queue"))
  },
  (o) => Effect.tryPromise({ try: () => worker(o), catch: commandFailure("worker") })
).pipe(Command.withDescription("pull cells of queued runs and run them with this machine's best backend, until SIGINT/SIGTERM"))

export const statusCli = Command.make(
  "status",
  { run: Argument.String("run").pipe(Argument.withDescription("the run's name (samlab run prints it)")), ...serviceFlags },
  (o) => Effect.tryPromise({ try: () => status(o.run, o), catch: commandFailure("status") })
).pipe(Command.withDescription("each cell of a queued run: pending, running (which worker, which epoch), done, failed (why); exit 1 when a cell failed"))
