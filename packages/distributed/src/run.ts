import { type AnyPipeline, type Plan, Progress, type ProgressShape, ResultsStore, canonicalJson, makePlan, runPlan, sha256Hex } from "@samlab/pipeline"
import { Effect, Layer } from "effect"
import type { Db } from "./db.js"
import type { CellJob } from "./queue.js"
import { makePostgresStore } from "./store.js"

/** The default run name: pipeline, preset and a hash of the full config, so the same run submitted twice is one run. */
export const runName = (plan: Plan): string =>
  `${plan.pipeline.name}${plan.preset ? `-${plan.preset}` : ""}-${sha256Hex(canonicalJson(plan.encoded)).slice(0, 12)}`

/** The store layer of one run in the results database. */
export const PostgresResultsStore = (db: Db, run: string) => Layer.succeed(ResultsStore, makePostgresStore(db, run))

/** Progress for a worker: each tick of a task is an epoch (reported to `onEpoch`), log lines go to `log`. */
const epochProgress = (onEpoch: (epoch: number) => void, log: (line: string) => void): ProgressShape => ({
  start: () => {
    let count = 0
    return { tick: () => onEpoch(++count), done: () => {} }
  },
  log
})

/**
 * Computes one queued cell into the results database: plans the pipeline the job names (with its
 * preset and overrides) and runs that cell only; stored steps are reused and a checkpointed step
 * resumes. Refuses a job whose cell is not the one this worker's pipeline plans (different code).
 */
export const runCellJob = async (
  job: CellJob,
  options: {
    readonly db: Db
    readonly loadPipeline: (file: string) => Promise<AnyPipeline>
    readonly onEpoch?: (epoch: number) => void
    readonly log?: (line: string) => void
  }
): Promise<void> => {
  const plan = await Effect.runPromise(makePlan(await options.loadPipeline(job.pipeline), { preset: job.preset, overrides: job.overrides }))
  const cell = plan.cells[job.cell]
  if (cell?.id !== job.cellId)
    throw new Error(
      `cell ${job.cell} of ${job.pipeline} is ${cell?.id ?? "missing"} here, the submitter planned ${job.cellId}: workers and submitter run different code or config`
    )
  const progress = epochProgress(options.onEpoch ?? (() => {}), options.log ?? (() => {}))
  await Effect.runPromise(
    runPlan(plan, { onlyCell: job.cell }).pipe(Effect.provide(Layer.mergeAll(PostgresResultsStore(options.db, job.run), Layer.succeed(Progress, progress))))
  )
}
