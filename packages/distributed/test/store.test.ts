import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FileResultsStore, makePlan, makeStepCheckpoint, Progress, runPlan } from "@samlab/pipeline"
import { Effect, Layer, Option } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { toyPipeline } from "../../pipeline/test/fixtures/toy-pipeline.js"
import { type Db, PostgresResultsStore, ServiceUnavailableError, connectDb, makePostgresStore, migrations, redactUrl } from "../src/index.js"
import { isolated } from "./fixtures/services.js"

const quiet = Layer.succeed(Progress, { start: () => ({ tick: () => {}, done: () => {} }), log: () => {} })
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})
const freshDb = async (): Promise<Db> => {
  const env = isolated()
  const db = await connectDb(env.storeUrl)
  cleanups.push(env.drop, () => db.close())
  return db
}

describe("PostgreSQL results store", () => {
  it("migrates once: every migration recorded in samlab_schema_version, a second connect applies nothing", async () => {
    const env = isolated()
    cleanups.push(env.drop)
    const first = await connectDb(env.storeUrl)
    cleanups.push(() => first.close())
    const second = await connectDb(env.storeUrl)
    cleanups.push(() => second.close())
    const { rows } = await second.query<{ version: number }>("SELECT version FROM samlab_schema_version ORDER BY version")
    expect(rows.map((r) => r.version)).toEqual(migrations().map((m) => m.version))
    expect(migrations()[0]!.name).toBe("001_results.sql")
    expect(second.schema).toBe(env.schema)
  })

  it("eight processes' worth of concurrent first connects to a new schema all succeed, and it migrates once", async () => {
    const env = isolated()
    cleanups.push(env.drop)
    const dbs = await Promise.all(Array.from({ length: 8 }, () => connectDb(env.storeUrl)))
    cleanups.push(async () => void (await Promise.all(dbs.map((d) => d.close()))))
    const { rows } = await dbs[7]!.query<{ version: number }>("SELECT version FROM samlab_schema_version ORDER BY version")
    expect(rows.map((r) => r.version)).toEqual(migrations().map((m) => m.version))
  })

  it("reads back what it wrote (text, bytes, JSON), removes a folder recursively, and keeps runs apart", async () => {
    const db = await freshDb()
    const a = makePostgresStore(db, "run-a")
    const b = makePostgresStore(db, "run-b")
    const bytes = new Uint8Array([0, 1, 2, 255])
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* a.writeText("summary.json", "{}\n")
        yield* a.writeBytes("blobs/x.bin", bytes)
        yield* a.writeJson("blobs/y.json", { n: 1 })
        expect(Option.getOrThrow(yield* a.readText("summary.json"))).toBe("{}\n")
        expect(Array.from(Option.getOrThrow(yield* a.readBytes("blobs/x.bin")))).toEqual([0, 1, 2, 255])
        expect(Option.getOrThrow(yield* a.readJson("blobs/y.json"))).toEqual({ n: 1 })
        expect(Option.isNone(yield* b.readText("summary.json"))).toBe(true)
        yield* a.writeText("blobsX", "kept")
        yield* a.remove("blobs")
        expect(Option.isNone(yield* a.readBytes("blobs/x.bin"))).toBe(true)
        expect(Option.isNone(yield* a.readJson("blobs/y.json"))).toBe(true)
        expect(Option.getOrThrow(yield* a.readText("blobsX"))).toBe("kept")
      })
    )
  })

  it("shares the content-addressed cache and checkpoints between runs", async () => {
    const db = await freshDb()
    const a = makePostgresStore(db, "run-a")
    const b = makePostgresStore(db, "run-b")
    await Effect.runPromise(makeStepCheckpoint(a, "k1").save({ json: { epoch: 3 }, bytes: new Uint8Array([9, 8]) }))
    const latest = await Effect.runPromise(makeStepCheckpoint(b, "k1").latest)
    expect(Option.getOrThrow(latest).json).toEqual({ epoch: 3 })
    expect(Array.from(Option.getOrThrow(latest).bytes!)).toEqual([9, 8])
  })

  it("writes metrics.jsonl as rows a user can query with SQL", async () => {
    const db = await freshDb()
    const rows = [
      { method: "sgd", seed: 0, epoch: 1, testAcc: 0.31, backend: "cpu" },
      { method: "sgd", seed: 0, epoch: 2, testAcc: 0.42, backend: "cpu" },
      { method: "sam", seed: 0, epoch: 1, testAcc: 0.35, backend: "cpu" }
    ]
    await Effect.runPromise(makePostgresStore(db, "r").writeJsonl("metrics.jsonl", rows))
    // rewriting replaces the run's rows, never duplicates them
    await Effect.runPromise(makePostgresStore(db, "r").writeJsonl("metrics.jsonl", rows))
    const { rows: best } = await db.query<{ method: string; best: number }>(
      "SELECT method, max((metrics->>'testAcc')::float8) AS best FROM samlab_metrics WHERE run = 'r' GROUP BY method ORDER BY method"
    )
    expect(best).toEqual([
      { method: "sam", best: 0.35 },
      { method: "sgd", best: 0.42 }
    ])
    expect((await db.query("SELECT * FROM samlab_metrics")).rowCount).toBe(3)
  })

  it("runs a pipeline to the same results as the folder store", async () => {
    const db = await freshDb()
    const dir = await mkdtemp(join(tmpdir(), "samlab-pg-"))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const plan = await Effect.runPromise(makePlan(toyPipeline, { preset: "quick" }))
    const onFolder = await Effect.runPromise(runPlan(plan).pipe(Effect.provide(Layer.mergeAll(FileResultsStore(dir), quiet))))
    const onPostgres = await Effect.runPromise(runPlan(plan).pipe(Effect.provide(Layer.mergeAll(PostgresResultsStore(db, "toy"), quiet))))
    expect(onPostgres!.aggregate).toEqual(onFolder!.aggregate)
    expect(onPostgres!.cells.map((c) => c.outputs["train"])).toEqual(onFolder!.cells.map((c) => c.outputs["train"]))
    const { rows } = await db.query<{ run: string; path: string }>("SELECT run, path FROM samlab_files WHERE path = 'run.json'")
    expect(rows).toEqual([{ run: "toy", path: "run.json" }])
  })

  it("retries an unreachable server with backoff, then names its URL without the password", async () => {
    const url = "postgres://alice:s3cret-pw@127.0.0.1:1/test?schema=x"
    const started = Date.now()
    const error = await connectDb(url, { attempts: 3, baseDelayMs: 50 }).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(ServiceUnavailableError)
    const message = (error as Error).message
    expect(message).toContain("PostgreSQL at postgres://alice:***@127.0.0.1:1/test?schema=x is unreachable after 3 attempts")
    expect(message).not.toContain("s3cret")
    expect(Date.now() - started).toBeGreaterThanOrEqual(150) // waited 50 + 100 ms between the attempts
    expect(redactUrl("redis://:pw@host:6379")).toBe("redis://:***@host:6379")
  })
})
