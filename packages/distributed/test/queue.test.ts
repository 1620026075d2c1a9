import { mkdtemp, rm } from "node:fs/promises"
import { createServer, connect, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FileResultsStore, makePlan, Progress, runPlan } from "@samlab/pipeline"
import { Effect, Layer } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { toyPipeline } from "../../pipeline/test/fixtures/toy-pipeline.js"
import { cellStatuses, connectDb, type Db, PostgresResultsStore, queueExecutor, runName } from "../src/index.js"
import { isolated, redisUrl } from "./fixtures/services.js"
import { startWorker, type WorkerProcess } from "./fixtures/workers.js"

const quiet = Layer.succeed(Progress, { start: () => ({ tick: () => {}, done: () => {} }), log: () => {} })
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A schema and queue of this test's own, and worker processes stopped at the end. */
const setup = async () => {
  const env = isolated()
  const db = await connectDb(env.storeUrl)
  cleanups.push(env.drop, () => db.close())
  const workers: WorkerProcess[] = []
  cleanups.push(() => Promise.all(workers.map((w) => w.stop())).then(() => {}))
  const worker = (leaseMs: number, extra: Record<string, string> = {}) => {
    const w = startWorker(env.storeUrl, redisUrl, env.queueName, leaseMs, extra)
    workers.push(w)
    return w
  }
  return { env, db, worker }
}

/** Submits the toy pipeline to the queue and runs its aggregate, as `samlab run --executor queue` does. */
const submit = async (db: Db, queueName: string, overrides: readonly string[], attempts = 3) => {
  const plan = await Effect.runPromise(makePlan(toyPipeline, { overrides }))
  const run = runName(plan)
  const executor = queueExecutor({
    queueUrl: redisUrl,
    queueName,
    db,
    attempts,
    backoffMs: 200,
    pollMs: 200,
    job: (cell) => ({ run, pipeline: "toy", overrides, cell: cell.index, cellId: cell.id })
  })
  return { run, result: await Effect.runPromise(runPlan(plan, { executor }).pipe(Effect.provide(Layer.mergeAll(PostgresResultsStore(db, run), quiet)))) }
}

const singleMachine = async (overrides: readonly string[]) => {
  const dir = await mkdtemp(join(tmpdir(), "samlab-single-"))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const plan = await Effect.runPromise(makePlan(toyPipeline, { overrides }))
  return Effect.runPromise(runPlan(plan).pipe(Effect.provide(Layer.mergeAll(FileResultsStore(dir), quiet))))
}

describe("queue executor against Redis and PostgreSQL", () => {
  it("a worker SIGKILLed mid-cell loses its lease; another resumes the cell from its last checkpoint; the summary equals a single-machine run's", async () => {
    const { env, db, worker } = await setup()
    const overrides = ["epochs=8", "seeds=[0]", 'methods=["sgd"]']
    const slow = { SAMLAB_TOY_EPOCH_MS: "400" }
    const first = worker(2000, slow)
    await first.waitFor(/worker ready/)
    const submitted = submit(db, env.queueName, overrides)
    await first.waitFor(/epoch 3\b/)
    await first.stop() // SIGKILL: no cleanup, the lease just stops being renewed
    const second = worker(2000, slow)
    const resumed = await second.waitFor(/resumed at epoch (\d+)/)
    expect(Number(resumed[1])).toBeGreaterThanOrEqual(3)
    const { run, result } = await submitted
    const single = await singleMachine(overrides)
    expect(result!.aggregate).toEqual(single!.aggregate)
    expect(result!.cells.map((c) => c.outputs["train"])).toEqual(single!.cells.map((c) => c.outputs["train"]))
    const cells = await cellStatuses(db, run)
    expect(cells.map((c) => [c.cellId, c.state])).toEqual([["method=sgd,seed=0", "done"]])
    expect(cells[0]!.worker).toMatch(new RegExp(`:${second.child.pid}$`))
  })

  it("a cell that fails every time is tried a bounded number of times, then reported failed with its error; the run fails without hanging", async () => {
    const { env, db, worker } = await setup()
    const overrides = ["epochs=3", "seeds=[0]", 'methods=["sam"]', "failAt=1"]
    worker(5000)
    const error = await submit(db, env.queueName, overrides, 2).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toMatch(/cell method=sam,seed=0 failed: failed after 2 attempt\(s\): .*diverged at epoch 1/)
    const plan = await Effect.runPromise(makePlan(toyPipeline, { overrides }))
    const [cell] = await cellStatuses(db, runName(plan))
    expect(cell).toMatchObject({ cellId: "method=sam,seed=0", state: "failed", attempts: 2 })
    expect(cell!.error).toContain("diverged at epoch 1")
    const { rows } = await db.query<{ bytes: Buffer }>("SELECT bytes FROM samlab_files WHERE path = 'run.json'")
    expect(JSON.parse(rows[0]!.bytes.toString("utf8"))).toMatchObject({ state: "failed" })
  })

  it("two submitters of the same run share the work: every cell runs once to completion, both get the same summary", async () => {
    const { env, db, worker } = await setup()
    const overrides = ["epochs=2", "seeds=[0,1]"]
    const w = worker(5000)
    await w.waitFor(/worker ready/)
    const [a, b] = await Promise.all([submit(db, env.queueName, overrides), submit(db, env.queueName, overrides)])
    expect(a.run).toBe(b.run)
    expect(a.result!.aggregate).toEqual(b.result!.aggregate)
    const cells = await cellStatuses(db, a.run)
    expect(cells.map((c) => [c.state, c.attempts])).toEqual(cells.map(() => ["done", 1]))
    for (const c of cells) expect(w.output.match(new RegExp(`cell ${c.cellId.replace(/[=,]/g, ".")} of run`, "g"))).toHaveLength(1)
  })

  it("a queue that cannot be reached fails the run after retries, naming its URL without the password", async () => {
    const { db } = await setup()
    const plan = await Effect.runPromise(makePlan(toyPipeline, { overrides: ["seeds=[0]", 'methods=["sgd"]'] }))
    const executor = queueExecutor({
      queueUrl: "redis://:hunter2@127.0.0.1:1",
      db,
      retry: { attempts: 3, baseDelayMs: 50 },
      commandTimeoutMs: 500,
      job: (cell) => ({ run: "x", pipeline: "toy", overrides: [], cell: cell.index, cellId: cell.id })
    })
    const error = await Effect.runPromise(runPlan(plan, { executor }).pipe(Effect.provide(Layer.mergeAll(PostgresResultsStore(db, "x"), quiet)))).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toContain("Redis at redis://:***@127.0.0.1:1 is unreachable after 3 attempts")
    expect(error?.message).not.toContain("hunter2")
    const { rows } = await db.query<{ bytes: Buffer }>("SELECT bytes FROM samlab_files")
    for (const r of rows) expect(r.bytes.toString("utf8")).not.toContain("hunter2")
  })

  it("a queue that goes away mid-run gives retries with backoff, then an error naming its URL without the password", async () => {
    const { env, db } = await setup()
    // a TCP relay to the real Redis, closed while the run waits on its cells (no worker: the cell stays queued)
    const sockets = new Set<Socket>()
    const relay = createServer((client) => {
      const upstream = connect(Number(new URL(redisUrl).port || 6379), new URL(redisUrl).hostname)
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on("error", () => {})
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((r) => relay.listen(0, "127.0.0.1", () => r()))
    const port = (relay.address() as { port: number }).port
    const plan = await Effect.runPromise(makePlan(toyPipeline, { overrides: ["seeds=[0]", 'methods=["sgd"]'] }))
    const logs: string[] = []
    const executor = queueExecutor({
      queueUrl: `redis://:hunter2@127.0.0.1:${port}`,
      queueName: env.queueName,
      db,
      pollMs: 100,
      retry: { attempts: 3, baseDelayMs: 100 },
      commandTimeoutMs: 500,
      log: (line) => logs.push(line),
      job: (cell) => ({ run: "away", pipeline: "toy", overrides: [], cell: cell.index, cellId: cell.id })
    })
    const running = Effect.runPromise(runPlan(plan, { executor }).pipe(Effect.provide(Layer.mergeAll(PostgresResultsStore(db, "away"), quiet)))).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    while (!logs.some((l) => l.includes("waiting"))) await new Promise((r) => setTimeout(r, 50))
    relay.close()
    for (const s of sockets) s.destroy()
    const error = await running
    expect(logs[0]).toBe("queue: 1 waiting")
    expect(error?.message).toContain(`Redis at redis://:***@127.0.0.1:${port} is unreachable after 3 attempts`)
    expect(error?.message).not.toContain("hunter2")
  })
})
