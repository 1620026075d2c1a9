// Load benchmark (not a test): 500 tiny cells of the toy pipeline across 4 worker processes,
// against the real PostgreSQL and Redis. Checks none is lost (every cell done) and none runs
// twice to completion (each started once, one attempt), and prints cells per second.
//   npm run bench -w @samlab/distributed        (SAMLAB_BENCH_CELLS, SAMLAB_BENCH_WORKERS to change)
import { makePlan, Progress, runPlan } from "@samlab/pipeline"
import { Effect, Layer } from "effect"
import { toyPipeline } from "../../pipeline/test/fixtures/toy-pipeline.js"
import { cellStatuses, connectDb, PostgresResultsStore, queueExecutor, runName } from "../src/index.js"
import { isolated, redisUrl } from "../test/fixtures/services.js"
import { startWorker } from "../test/fixtures/workers.js"

const cells = Number(process.env["SAMLAB_BENCH_CELLS"] ?? 500)
const workerCount = Number(process.env["SAMLAB_BENCH_WORKERS"] ?? 4)
const env = isolated()
const db = await connectDb(env.storeUrl)
const workers = Array.from({ length: workerCount }, () => startWorker(env.storeUrl, redisUrl, env.queueName, 30_000))
try {
  await Promise.all(workers.map((w) => w.waitFor(/worker ready/)))
  const overrides = ["epochs=1", 'methods=["sgd","sam"]', `seeds=[${Array.from({ length: cells / 2 }, (_, i) => i).join(",")}]`]
  const plan = await Effect.runPromise(makePlan(toyPipeline, { overrides }))
  const run = runName(plan)
  const executor = queueExecutor({
    queueUrl: redisUrl,
    queueName: env.queueName,
    db,
    pollMs: 500,
    job: (cell) => ({ run, pipeline: "toy", overrides, cell: cell.index, cellId: cell.id })
  })
  const quiet = Layer.succeed(Progress, { start: () => ({ tick: () => {}, done: () => {} }), log: () => {} })
  const started = performance.now()
  await Effect.runPromise(runPlan(plan, { executor }).pipe(Effect.provide(Layer.mergeAll(PostgresResultsStore(db, run), quiet))))
  const seconds = (performance.now() - started) / 1000
  const statuses = await cellStatuses(db, run)
  const done = statuses.filter((c) => c.state === "done" && c.attempts === 1).length
  const starts = workers.map((w) => (w.output.match(/: cell \S+ of run/g) ?? []).length)
  const startedCells = new Set(workers.flatMap((w) => [...w.output.matchAll(/: cell (\S+) of run/g)].map((m) => m[1])))
  console.log(
    JSON.stringify({
      cells: plan.cells.length,
      workers: workerCount,
      seconds: Number(seconds.toFixed(2)),
      cellsPerSecond: Number((plan.cells.length / seconds).toFixed(1)),
      doneOnFirstAttempt: done,
      startsPerWorker: starts,
      distinctCellsStarted: startedCells.size
    })
  )
  if (done !== plan.cells.length || startedCells.size !== plan.cells.length || starts.reduce((a, b) => a + b, 0) !== plan.cells.length) {
    console.error("cells lost or run twice")
    process.exitCode = 1
  }
} finally {
  await Promise.all(workers.map((w) => w.stop()))
  await db.close()
  await env.drop()
}
