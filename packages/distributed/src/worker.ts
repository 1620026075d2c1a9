import { hostname } from "node:os"
import { Worker } from "bullmq"
import { recordCell, recordEpoch } from "./cells.js"
import type { Db } from "./db.js"
import { type CellJob, defaultQueueName, redisConnection } from "./queue.js"

export interface CellWorkerOptions {
  readonly queueUrl: string
  readonly queueName?: string
  readonly db: Db
  /** Computes one cell into the shared store; `onEpoch` records how far it got (for `samlab status`). */
  readonly runCell: (job: CellJob, onEpoch: (epoch: number) => void) => Promise<void>
  /** How long a job stays leased without a renewal (default 30 s): a killed worker's cell goes back to the queue after it. */
  readonly leaseMs?: number
  readonly log?: (line: string) => void
}

/** `host:pid`, what `samlab status` shows for a running cell. */
export const workerName = () => `${hostname()}:${process.pid}`

/**
 * Pulls cells from the queue, one at a time, and runs them. A cell's lease is renewed while it runs;
 * a worker that dies (SIGKILL, power loss) stops renewing, the lease lapses, and another worker takes
 * the cell and resumes it from its last checkpoint in the shared store. A cell that throws is retried
 * (the job's attempts) and recorded failed, with its error, after the last.
 */
export const startCellWorker = (options: CellWorkerOptions): Worker<CellJob> => {
  const name = workerName()
  const leaseMs = options.leaseMs ?? 30_000
  const worker = new Worker<CellJob>(
    options.queueName ?? defaultQueueName,
    async (job) => {
      const data = job.data
      const cell = { index: data.cell, id: data.cellId }
      const attempt = job.attemptsMade + 1
      options.log?.(`worker ${name}: cell ${data.cellId} of run ${data.run} (attempt ${attempt})`)
      await recordCell(options.db, data.run, cell, "running", { worker: name, attempts: attempt })
      try {
        await options.runCell(data, (epoch) => {
          void recordEpoch(options.db, data.run, data.cell, epoch).catch(() => {})
        })
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e)
        const last = attempt >= (job.opts.attempts ?? 1)
        await recordCell(options.db, data.run, cell, last ? "failed" : "pending", { attempts: attempt, error }).catch(() => {})
        options.log?.(`worker ${name}: cell ${data.cellId} failed${last ? "" : ", to be retried"}: ${error}`)
        throw e
      }
      await recordCell(options.db, data.run, cell, "done", { worker: name, attempts: attempt })
    },
    {
      connection: redisConnection(options.queueUrl),
      concurrency: 1,
      lockDuration: leaseMs,
      stalledInterval: Math.max(1000, Math.floor(leaseMs / 2)),
      maxStalledCount: 10
    }
  )
  worker.on("error", (e) => options.log?.(`worker ${name}: ${e.message}`))
  return worker
}
