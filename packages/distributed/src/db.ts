import { readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"
import { parseStoreUrl, redactUrl } from "./url.js"

/** A service (PostgreSQL, Redis) that stayed unreachable through every retry; names the URL without its password. */
export class ServiceUnavailableError extends Error {
  constructor(
    readonly service: string,
    readonly url: string,
    readonly attempts: number,
    cause: unknown
  ) {
    super(`${service} at ${url} is unreachable after ${attempts} attempts: ${cause instanceof Error ? cause.message : String(cause)}`)
    this.name = "ServiceUnavailableError"
  }
}

export interface RetryPolicy {
  /** Attempts in all (default 6). */
  readonly attempts?: number
  /** First wait, doubled after each failed attempt (default 250 ms). */
  readonly baseDelayMs?: number
}

/** SQLSTATE classes 08 (connection) and 57P (shutdown), and socket errors: worth retrying. Others (a SQL error) are not. */
const isTransient = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code.startsWith("08") || code.startsWith("57P") || code === "53300"
  return true
}

/** Runs `attempt` with exponential backoff while it fails transiently; then throws a `ServiceUnavailableError`. */
export const withRetry = async <A>(
  service: string,
  url: string,
  policy: RetryPolicy,
  attempt: () => Promise<A>,
  transient: (e: unknown) => boolean = isTransient
): Promise<A> => {
  const attempts = policy.attempts ?? 6
  let delay = policy.baseDelayMs ?? 250
  for (let i = 1; ; i++) {
    try {
      return await attempt()
    } catch (e) {
      if (!transient(e)) throw e
      if (i >= attempts) throw new ServiceUnavailableError(service, redactUrl(url), attempts, e)
      await new Promise((r) => setTimeout(r, delay))
      delay *= 2
    }
  }
}

/** A pooled PostgreSQL connection whose queries retry with backoff while the server is away. */
export interface Db {
  /** The URL without its password: safe to print. */
  readonly url: string
  readonly schema: string
  readonly query: <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: readonly unknown[]) => Promise<pg.QueryResult<R>>
  /** Runs `body` in one transaction (retried as a whole while the server is away). */
  readonly transaction: <A>(body: (client: pg.PoolClient) => Promise<A>) => Promise<A>
  readonly close: () => Promise<void>
}

const migrationsDir = (): string =>
  // src/ and dist/ both sit beside migrations/
  typeof __dirname === "string" ? join(__dirname, "..", "migrations") : fileURLToPath(new URL("../migrations/", import.meta.url))

/** The ordered migrations: `NNN_name.sql` files, applied once each in version order. */
export const migrations = (): ReadonlyArray<{ readonly version: number; readonly name: string; readonly sql: string }> =>
  readdirSync(migrationsDir())
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .map((f) => ({ version: Number.parseInt(f, 10), name: f, sql: readFileSync(join(migrationsDir(), f), "utf8") }))
    .sort((a, b) => a.version - b.version)

/**
 * Connects to the results database (`postgres://user:password@host/db?schema=name`; the password may
 * also come from `PGPASSWORD`) and brings its schema up to date: each migration not yet in
 * `samlab_schema_version` runs in one transaction, under an advisory lock so that concurrent
 * workers create the schema and migrate once.
 */
export const connectDb = async (url: string, retry: RetryPolicy = {}): Promise<Db> => {
  const { connectionString, schema } = parseStoreUrl(url)
  const safe = redactUrl(url)
  const pool = new pg.Pool({ connectionString, max: 4, connectionTimeoutMillis: 10_000, options: `-c search_path=${schema}` })
  // an idle client whose server went away: the next query reconnects (and retries)
  pool.on("error", () => {})
  const query: Db["query"] = (sql, params) => withRetry("PostgreSQL", url, retry, () => pool.query(sql, params as unknown[]))
  const transaction: Db["transaction"] = (body) =>
    withRetry("PostgreSQL", url, retry, async () => {
      const client = await pool.connect()
      try {
        await client.query("BEGIN")
        const result = await body(client)
        await client.query("COMMIT")
        return result
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {})
        throw e
      } finally {
        client.release()
      }
    })
  const db: Db = { url: safe, schema, query, transaction, close: () => pool.end() }
  try {
    await transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`samlab-migrate-${schema}`])
      // under the lock: two CREATE SCHEMA IF NOT EXISTS at once can both try to create it (a unique violation)
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
      await client.query(
        "CREATE TABLE IF NOT EXISTS samlab_schema_version (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
      )
      const applied = new Set((await client.query<{ version: number }>("SELECT version FROM samlab_schema_version")).rows.map((r) => r.version))
      for (const m of migrations()) {
        if (applied.has(m.version)) continue
        await client.query(m.sql)
        await client.query("INSERT INTO samlab_schema_version (version, name) VALUES ($1, $2)", [m.version, m.name])
      }
    })
  } catch (e) {
    await pool.end().catch(() => {})
    throw e
  }
  return db
}
