import { readFile, rm } from "node:fs/promises"
import { join, resolve } from "node:path"
import { Context, Effect, Layer, Option } from "effect"
import { StoreError } from "../errors.js"
import { writeFileAtomic } from "./atomic.js"

/** Where a run's results live. Every write is atomic: a file is complete or absent. */
export interface ResultsStoreShape {
  readonly root: string
  readonly writeText: (relPath: string, text: string) => Effect.Effect<void, StoreError>
  readonly writeBytes: (relPath: string, bytes: Uint8Array) => Effect.Effect<void, StoreError>
  readonly writeJson: (relPath: string, value: unknown) => Effect.Effect<void, StoreError>
  /** Writes rows as JSON Lines (the whole file at once). */
  readonly writeJsonl: (relPath: string, rows: readonly unknown[]) => Effect.Effect<void, StoreError>
  readonly readText: (relPath: string) => Effect.Effect<Option.Option<string>, StoreError>
  readonly readBytes: (relPath: string) => Effect.Effect<Option.Option<Uint8Array>, StoreError>
  readonly readJson: (relPath: string) => Effect.Effect<Option.Option<unknown>, StoreError>
  readonly remove: (relPath: string) => Effect.Effect<void, StoreError>
}

export class ResultsStore extends Context.Service<ResultsStore, ResultsStoreShape>()("@samlab/pipeline/ResultsStore") {}

/** A JSON-lines document: one JSON value a line, ending in a newline when there are rows. */
export const jsonLines = (rows: readonly unknown[]): string => rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : "")

/** A store's `readJson` on top of its `readText`: absent stays absent; text that is not JSON is a read error naming the path. */
export const readJsonWith =
  (readText: ResultsStoreShape["readText"], path: (rel: string) => string): ResultsStoreShape["readJson"] =>
  (rel) =>
    Effect.flatMap(readText(rel), (text) =>
      Option.match(text, {
        onNone: () => Effect.succeed(Option.none()),
        onSome: (t) =>
          Effect.try({ try: () => Option.some(JSON.parse(t) as unknown), catch: (cause) => new StoreError({ path: path(rel), operation: "read", cause }) })
      })
    )

const isMissing = (e: unknown) => typeof e === "object" && e !== null && (e as { code?: string }).code === "ENOENT"

/** A results store rooted at a folder on disk. */
export const makeFileStore = (rootDir: string): ResultsStoreShape => {
  const root = resolve(rootDir)
  const at = (rel: string) => join(root, rel)
  const write = (rel: string, data: string | Uint8Array) =>
    Effect.tryPromise({ try: () => writeFileAtomic(at(rel), data), catch: (cause) => new StoreError({ path: at(rel), operation: "write", cause }) })
  const readBytes = (rel: string) =>
    Effect.tryPromise({
      try: async () => {
        try {
          return Option.some(new Uint8Array(await readFile(at(rel))))
        } catch (e) {
          if (isMissing(e)) return Option.none<Uint8Array>()
          throw e
        }
      },
      catch: (cause) => new StoreError({ path: at(rel), operation: "read", cause })
    })
  const readText = (rel: string) =>
    Effect.map(
      readBytes(rel),
      Option.map((b) => Buffer.from(b).toString("utf8"))
    )
  return {
    root,
    writeText: write,
    writeBytes: write,
    writeJson: (rel, value) => write(rel, `${JSON.stringify(value, null, 2)}\n`),
    writeJsonl: (rel, rows) => write(rel, jsonLines(rows)),
    readText,
    readBytes,
    readJson: readJsonWith(readText, at),
    remove: (rel) =>
      Effect.tryPromise({
        try: () => rm(at(rel), { recursive: true, force: true }),
        catch: (cause) => new StoreError({ path: at(rel), operation: "remove", cause })
      })
  }
}

export const FileResultsStore = (rootDir: string) => Layer.succeed(ResultsStore, makeFileStore(rootDir))
