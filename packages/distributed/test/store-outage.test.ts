import { mkdtemp, rm } from "node:fs/promises"
import { type Server, type Socket, connect, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FileResultsStore, makePlan, Progress, ResultsStore, runPlan, StepFailedError, StoreError } from "@samlab/pipeline"
import { Cause, Effect, Exit, Layer } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { toyPipeline } from "../../pipeline/test/fixtures/toy-pipeline.js"
import { PostgresResultsStore, ServiceUnavailableError, connectDb, makePostgresStore } from "../src/index.js"
import { isolated, postgresBase } from "./fixtures/services.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A TCP relay to the real PostgreSQL that the test can take away (every connection cut, new ones refused) and bring back. */
const relay = async (target: { host: string; port: number }) => {
  const sockets = new Set<Socket>()
  const upstreams = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host)
        upstreams.add(upstream)
        upstream.on("close", () => upstreams.delete(upstream))
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on("close", () => sockets.delete(s))
          s.on("error", () => {})
        }
        client.pipe(upstream).pipe(client)
      })
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as { port: number }).port
        resolve()
      })
    })
  const down = () => {
    server?.close()
    for (const s of sockets) s.destroy()
  }
  await up()
  // the client ports PostgreSQL sees (pg_stat_activity.client_port): this test's backends, no one else's
  const backendPorts = () => [...upstreams].map((s) => s.localPort).filter((p): p is number => p !== undefined)
  return { port: () => port, up, down, backendPorts }
}

const logs = (lines: string[], onTick: (label: string, n: number) => void = () => {}) =>
  Layer.succeed(Progress, {
    start: (label: string) => {
      let n = 0
      return { tick: () => onTick(label, ++n), done: () => {} }
    },
    log: (line: string) => void lines.push(line)
  })

describe("PostgreSQL going away mid-run", () => {
  it("fails the run with a StoreError naming the operation and the path; nothing is marked done; a rerun resumes from the last checkpoint to the uninterrupted numbers", async () => {
    const env = isolated()
    cleanups.push(env.drop)
    const pg = new URL(postgresBase)
    const proxy = await relay({ host: pg.hostname, port: Number(pg.port || 5432) })
    cleanups.push(async () => proxy.down())
    const viaProxy = new URL(env.storeUrl)
    viaProxy.port = String(proxy.port())
    viaProxy.password = "s3cret-pw"
    const db = await connectDb(viaProxy.toString(), { attempts: 3, baseDelayMs: 50 })
    cleanups.push(() => db.close().catch(() => {}))

    const plan = await Effect.runPromise(makePlan(toyPipeline, { preset: "quick", overrides: ["epochs=6"] }))
    // the server goes away once the first cell has checkpointed its second epoch
    const first: string[] = []
    const exit = await Effect.runPromiseExit(
      runPlan(plan).pipe(
        Effect.provide(
          Layer.mergeAll(
            PostgresResultsStore(db, "outage"),
            logs(first, (label, n) => label === "train sgd" && n === 2 && proxy.down())
          )
        )
      )
    )
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
    expect(error).toBeInstanceOf(StepFailedError)
    expect(error).toMatchObject({ step: "train", cell: "method=sgd,seed=0" })
    const storeError = (error as StepFailedError).cause as StoreError
    expect(storeError).toBeInstanceOf(StoreError)
    expect(storeError.operation).toBe("write")
    expect(storeError.path).toMatch(/#outage\/checkpoints\//)
    expect(storeError.cause).toBeInstanceOf(ServiceUnavailableError)
    expect(storeError.message).toContain(`results store: cannot write ${viaProxy.protocol}//root:***@127.0.0.1:${proxy.port()}/test`)
    expect(storeError.message).toContain("is unreachable after 3 attempts")
    expect(storeError.message).not.toContain("s3cret")

    await proxy.up()
    // nothing was marked done: no stored step output, no summary, the run not complete; epoch 2's checkpoint is there
    const { rows } = await db.query<{ run: string; path: string }>("SELECT run, path FROM samlab_files ORDER BY path")
    expect(rows.filter((r) => r.path.startsWith("cache/") || r.path === "summary.json")).toEqual([])
    const runJson = rows.find((r) => r.path === "run.json")
    if (runJson)
      expect(
        JSON.parse((await db.query<{ bytes: Buffer }>("SELECT bytes FROM samlab_files WHERE run = 'outage' AND path = 'run.json'")).rows[0]!.bytes.toString())
          .state
      ).not.toBe("complete")
    expect(rows.filter((r) => r.path.startsWith("checkpoints/")).length).toBeGreaterThan(0)

    const second: string[] = []
    const resumed = await Effect.runPromise(runPlan(plan).pipe(Effect.provide(Layer.mergeAll(PostgresResultsStore(db, "outage"), logs(second)))))
    expect(second).toContain("resumed at epoch 2")
    const dir = await mkdtemp(join(tmpdir(), "samlab-outage-"))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const uninterrupted = await Effect.runPromise(runPlan(plan).pipe(Effect.provide(Layer.mergeAll(FileResultsStore(dir), logs([])))))
    expect(resumed!.aggregate).toEqual(uninterrupted!.aggregate)
    expect(resumed!.cells.map((c) => c.outputs["train"])).toEqual(uninterrupted!.cells.map((c) => c.outputs["train"]))
  }, 120_000)

  it("a brief outage (the store's server connections terminated with pg_terminate_backend) is retried: the run completes with the uninterrupted numbers", async () => {
    const env = isolated()
    cleanups.push(env.drop)
    const pg = new URL(postgresBase)
    const proxy = await relay({ host: pg.hostname, port: Number(pg.port || 5432) })
    cleanups.push(async () => proxy.down())
    const viaProxy = new URL(env.storeUrl)
    viaProxy.port = String(proxy.port())
    const db = await connectDb(viaProxy.toString(), { attempts: 4, baseDelayMs: 50 })
    cleanups.push(() => db.close())
    const admin = await connectDb(env.storeUrl)
    cleanups.push(() => admin.close())
    const plan = await Effect.runPromise(makePlan(toyPipeline, { preset: "quick", overrides: ["epochs=6"] }))
    let terminated = 0
    const terminate = async () => {
      const ports = proxy.backendPorts()
      const { rows } = await admin.query<{ ok: boolean }>(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE client_addr = '127.0.0.1' AND client_port = ANY($1::int[])",
        [ports]
      )
      terminated += rows.filter((r) => r.ok).length
    }
    // right before the fourth checkpoint write, from another connection: the pool's connections die under it
    const store = makePostgresStore(db, "blip")
    let checkpointWrites = 0
    const beforeWrite = (rel: string) => (rel.startsWith("checkpoints/") && ++checkpointWrites === 4 ? Effect.promise(terminate) : Effect.void)
    const interrupting = Layer.succeed(ResultsStore, {
      ...store,
      writeJson: (rel, value) => Effect.andThen(beforeWrite(rel), store.writeJson(rel, value)),
      writeBytes: (rel, bytes) => Effect.andThen(beforeWrite(rel), store.writeBytes(rel, bytes))
    })
    const result = await Effect.runPromise(runPlan(plan).pipe(Effect.provide(Layer.mergeAll(interrupting, logs([])))))
    expect(terminated).toBeGreaterThan(0)
    const dir = await mkdtemp(join(tmpdir(), "samlab-blip-"))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const uninterrupted = await Effect.runPromise(runPlan(plan).pipe(Effect.provide(Layer.mergeAll(FileResultsStore(dir), logs([])))))
    expect(result!.aggregate).toEqual(uninterrupted!.aggregate)
  }, 120_000)
})
