import { Context, Effect, Option } from "effect"
import type { StoreError } from "../errors.js"
import { canonicalJson, sha256Hex } from "../hash.js"
import type { ResultsStoreShape } from "./store.js"

/** A step's saved progress: JSON metadata and an optional binary blob (e.g. float32 weights). */
export interface CheckpointData {
  readonly json: unknown
  readonly bytes?: Uint8Array | undefined
}

/**
 * Checkpoints of the running step, keyed by its content address, so a rerun after a
 * crash resumes where the step stopped. Saved atomically (bytes first, then the JSON that
 * names them, with a SHA-256 of each), cleared by the runner once the step's output is stored.
 * A checkpoint that is unreadable or fails its checksum is named (`warn`), discarded, and the
 * step starts over: never trusted, never blocking.
 */
export interface StepCheckpointShape {
  readonly save: (data: CheckpointData) => Effect.Effect<void, StoreError>
  readonly latest: Effect.Effect<Option.Option<CheckpointData>, StoreError>
}

export class StepCheckpoint extends Context.Service<StepCheckpoint, StepCheckpointShape>()("@samlab/pipeline/StepCheckpoint") {}

export const checkpointDir = (key: string) => `checkpoints/${key}`

interface Head {
  readonly json: unknown
  readonly bytesFile?: string
  readonly jsonSha256?: string
  readonly bytesSha256?: string
}

export const makeStepCheckpoint = (store: ResultsStoreShape, key: string, warn: (line: string) => void = () => {}): StepCheckpointShape => {
  const dir = checkpointDir(key)
  const discard = (file: string, why: string) =>
    Effect.gen(function* () {
      warn(`discarding checkpoint ${store.root}/${dir}/${file}: ${why}; the step starts over`)
      yield* store.remove(dir)
      return Option.none<CheckpointData>()
    })
  let generation = 0
  return {
    save: (data) =>
      Effect.gen(function* () {
        generation += 1
        const bytesFile = data.bytes ? `state-${process.pid}-${generation}.bin` : undefined
        if (bytesFile && data.bytes) yield* store.writeBytes(`${dir}/${bytesFile}`, data.bytes)
        const previous = yield* Effect.option(store.readJson(`${dir}/latest.json`))
        const head: Head = {
          json: data.json,
          jsonSha256: sha256Hex(canonicalJson(data.json)),
          ...(bytesFile && data.bytes ? { bytesFile, bytesSha256: sha256Hex(data.bytes) } : {})
        }
        yield* store.writeJson(`${dir}/latest.json`, head)
        // the old blob is unreferenced only once latest.json points at the new one
        const oldFile = Option.getOrUndefined(Option.flatten(previous)) as { bytesFile?: string } | undefined
        if (oldFile?.bytesFile && oldFile.bytesFile !== bytesFile) yield* store.remove(`${dir}/${oldFile.bytesFile}`)
      }),
    latest: Effect.gen(function* () {
      const text = yield* store.readText(`${dir}/latest.json`)
      if (Option.isNone(text)) return Option.none()
      let head: Head
      try {
        head = JSON.parse(text.value) as Head
      } catch (e) {
        return yield* discard("latest.json", `not JSON (${e instanceof Error ? e.message : String(e)})`)
      }
      const { json, bytesFile, jsonSha256, bytesSha256 } = head
      if (jsonSha256 !== undefined && sha256Hex(canonicalJson(json)) !== jsonSha256) return yield* discard("latest.json", "checksum mismatch")
      if (!bytesFile) return Option.some({ json })
      const bytes = yield* store.readBytes(`${dir}/${bytesFile}`)
      if (Option.isNone(bytes)) return yield* discard(bytesFile, "missing")
      if (bytesSha256 !== undefined && sha256Hex(bytes.value) !== bytesSha256) return yield* discard(bytesFile, "checksum mismatch")
      return Option.some({ json, bytes: bytes.value })
    })
  }
}
