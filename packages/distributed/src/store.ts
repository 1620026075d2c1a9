import { type ResultsStoreShape, StoreError, jsonLines, readJsonWith } from "@samlab/pipeline"
import { Effect, Option } from "effect"
import type { Db } from "./db.js"

/** Step outputs and checkpoints are content-addressed: every run shares them (run `''`). */
const sharedPrefixes = ["cache/", "checkpoints/"]
const owner = (run: string, rel: string) => (sharedPrefixes.some((p) => rel.startsWith(p)) ? "" : run)

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : null)

/**
 * A `ResultsStore` in PostgreSQL: every file of `run` is a row of `samlab_files` (bytea), and the
 * run's `metrics.jsonl` is also written as rows of `samlab_metrics` (method, seed, epoch, and
 * every metric as jsonb) for SQL queries and dashboards. Each write is one statement: complete or absent.
 */
export const makePostgresStore = (db: Db, run: string): ResultsStoreShape => {
  const where = (rel: string) => `${db.url}#${run}/${rel}`
  const attempt = <A>(rel: string, operation: "read" | "write" | "remove", body: () => Promise<A>) =>
    Effect.tryPromise({ try: body, catch: (cause) => new StoreError({ path: where(rel), operation, cause }) })
  const write = (rel: string, data: string | Uint8Array) =>
    attempt(rel, "write", () =>
      db.query(
        "INSERT INTO samlab_files (run, path, bytes) VALUES ($1, $2, $3) ON CONFLICT (run, path) DO UPDATE SET bytes = EXCLUDED.bytes, updated_at = now()",
        [owner(run, rel), rel, typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength)]
      )
    ).pipe(Effect.asVoid)
  const readBytes = (rel: string) =>
    attempt(rel, "read", async () => {
      const { rows } = await db.query<{ bytes: Buffer }>("SELECT bytes FROM samlab_files WHERE run = $1 AND path = $2", [owner(run, rel), rel])
      return rows[0] ? Option.some(new Uint8Array(rows[0].bytes)) : Option.none<Uint8Array>()
    })
  const readText = (rel: string) =>
    Effect.map(
      readBytes(rel),
      Option.map((b) => Buffer.from(b).toString("utf8"))
    )
  const writeMetricRows = (rows: readonly unknown[]) =>
    attempt("metrics.jsonl", "write", () =>
      db.transaction(async (client) => {
        await client.query("DELETE FROM samlab_metrics WHERE run = $1", [run])
        for (const [i, row] of rows.entries()) {
          const r = (row ?? {}) as Record<string, unknown>
          await client.query("INSERT INTO samlab_metrics (run, row_no, method, seed, epoch, metrics) VALUES ($1, $2, $3, $4, $5, $6)", [
            run,
            i,
            typeof r["method"] === "string" ? r["method"] : null,
            num(r["seed"]),
            num(r["epoch"]),
            JSON.stringify(r)
          ])
        }
      })
    )
  return {
    root: `${db.url}#${run}`,
    writeText: write,
    writeBytes: write,
    writeJson: (rel, value) => write(rel, `${JSON.stringify(value, null, 2)}\n`),
    writeJsonl: (rel, rows) => Effect.andThen(write(rel, jsonLines(rows)), rel === "metrics.jsonl" ? writeMetricRows(rows) : Effect.void),
    readText,
    readBytes,
    readJson: readJsonWith(readText, where),
    // like the folder store's rm -r: the path and everything under it
    remove: (rel) =>
      attempt(rel, "remove", () =>
        db.query("DELETE FROM samlab_files WHERE run = $1 AND (path = $2 OR left(path, length($2) + 1) = $2 || '/')", [owner(run, rel), rel])
      ).pipe(Effect.asVoid)
  }
}
