import { type Cell, type Executor, ExecutorError } from "@samlab/pipeline"
import { Queue, type ConnectionOptions } from "bullmq"
import { Effect } from "effect"
import { recordPending } from "./cells.js"
import { type Db, type RetryPolicy, withRetry } from "./db.js"
import { redactUrl } from "./url.js"

/** What a worker needs to compute one cell: never a credential (each worker has its own store URL). */
export interface CellJob {
  readonly run: string
  /** The pipeline file, as the workers see it (a path relative to their working directory, or absolute). */
  readonly pipeline: string
  readonly preset?: string | undefined
  readonly overrides: readonly string[]
  readonly cell: number
  readonly cellId: string
}

/** `redis://[:password@]host:port[/db]` as BullMQ's connection options. */
export const redisConnection = (url: string, options: { readonly failFast?: boolean } = {}): ConnectionOptions => {
  const u = new URL(url)
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new Error(`a queue URL must start with redis://, got ${redactUrl(url)}`)
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
    // a submitter's commands fail (and are retried by us, then reported) rather than wait forever
    ...(options.failFast
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (times: number) => Math.min(times * 200, 2000) }
      : { maxRetriesPerRequest: null })
  }
}

/** One job per cell and run: a second submitter of the same run adds nothing and waits on the same jobs. */
export const jobId = (run: string, cell: number) => `${run}--cell-${cell}`

export interface QueueExecutorOptions {
  readonly queueUrl: string
  /** The BullMQ queue (default `samlab-cells`): workers pull from the one they were started on. */
  readonly queueName?: string
  readonly db: Db
  readonly job: (cell: Cell) => CellJob
  /** Tries per cell before it is reported failed (default 3), with exponential backoff from `backoffMs` (default 1 s). */
  readonly attempts?: number
  readonly backoffMs?: number
  readonly pollMs?: number
  readonly retry?: RetryPolicy
  /** How long one queue command may wait for Redis before it counts as a failed attempt (default 10 s). */
  readonly commandTimeoutMs?: number
  readonly log?: (line: string) => void
}

const withDeadline = <A>(promise: Promise<A>, ms: number): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    promise.then(
      (a) => (clearTimeout(timer), resolve(a)),
      (e: unknown) => (clearTimeout(timer), reject(e))
    )
  })

export const defaultQueueName = "samlab-cells"

/**
 * Runs cells on whatever workers pull from the queue: enqueues one job per cell (idempotent by
 * job id), then waits until each is completed (its outputs are in the shared store) or failed
 * after its attempts, logging the counts as they change. A queue that stays unreachable fails the
 * run with an error naming its URL without the password.
 */
export const queueExecutor = (options: QueueExecutorOptions): Executor => ({
  name: "queue",
  runCells: (cells) =>
    Effect.tryPromise({
      try: async (signal) => {
        const queue = new Queue<CellJob>(options.queueName ?? defaultQueueName, { connection: redisConnection(options.queueUrl, { failFast: true }) })
        queue.on("error", () => {})
        // BullMQ waits for a connection without bound: each call gets a deadline, then is retried
        const redis = <A>(body: () => Promise<A>) =>
          withRetry(
            "Redis",
            options.queueUrl,
            options.retry ?? {},
            () => withDeadline(body(), options.commandTimeoutMs ?? 10_000),
            () => true
          )
        try {
          const ids = new Map<string, Cell>()
          for (const cell of cells) {
            const data = options.job(cell)
            const id = jobId(data.run, cell.index)
            ids.set(id, cell)
            await recordPending(options.db, data.run, cell)
            await redis(async () => {
              const existing = await queue.getJob(id)
              // a cell that failed in an earlier submission is tried again
              if (existing && (await existing.getState()) === "failed") await existing.retry("failed")
              else if (!existing)
                await queue.add("cell", data, {
                  jobId: id,
                  attempts: options.attempts ?? 3,
                  backoff: { type: "exponential", delay: options.backoffMs ?? 1000 },
                  removeOnComplete: false,
                  removeOnFail: false
                })
            })
          }
          let last = ""
          for (;;) {
            const counts: Record<string, number> = {}
            for (const [id, cell] of ids) {
              const job = await redis(() => queue.getJob(id))
              const state = job ? await redis(() => job.getState()) : "unknown"
              if (state === "failed")
                throw new ExecutorError({
                  cell: cell.id,
                  reason: `failed after ${job?.attemptsMade ?? "?"} attempt(s): ${job?.failedReason ?? "unknown reason"}`
                })
              counts[state] = (counts[state] ?? 0) + 1
            }
            const line = Object.entries(counts)
              .map(([s, n]) => `${n} ${s}`)
              .join(", ")
            if (line !== last) options.log?.(`queue: ${line}`)
            last = line
            if (counts["completed"] === ids.size) return
            if (signal.aborted) return
            await new Promise((r) => setTimeout(r, options.pollMs ?? 1000))
          }
        } finally {
          await queue.close().catch(() => {})
        }
      },
      catch: (e) => (e instanceof ExecutorError ? e : new ExecutorError({ cell: "*", reason: e instanceof Error ? e.message : String(e) }))
    })
})
