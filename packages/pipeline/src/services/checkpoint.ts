import { Context, Effect, Option } from "effect"
import type { StoreError } from "../errors.js"
import type { ResultsStoreShape } from "./store.js"

/** A step's saved progress: JSON metadata and an optional binary blob (e.g. float32 weights). */
export interface CheckpointData {
  readonly json: unknown
  readonly bytes?: Uint8Array | undefined
}

/**
 * Checkpoints of the running step, keyed by its content address, so a rerun after a
 * crash resumes where the step stopped. Saved atomically (bytes first, then the JSON that
 * names them), cleared by the runner once the step's output is stored.
 */
export interface StepCheckpointShape {
  readonly save: (data: CheckpointData) => Effect.Effect<void, StoreError>
  readonly latest: Effect.Effect<Option.Option<CheckpointData>, StoreError>
}

export class StepCheckpoint extends Context.Service<StepCheckpoint, StepCheckpointShape>()("@samlab/pipeline/StepCheckpoint") {}

export const checkpointDir = (key: string) => `checkpoints/${key}`

export const makeStepCheckpoint = (store: ResultsStoreShape, key: string): StepCheckpointShape => {
  const dir = checkpointDir(key)
  let generation = 0
  return {
    save: (data) =>
      Effect.gen(function* () {
        generation += 1
        const bytesFile = data.bytes ? `state-${process.pid}-${generation}.bin` : undefined
        if (bytesFile && data.bytes) yield* store.writeBytes(`${dir}/${bytesFile}`, data.bytes)
        const previous = yield* store.readJson(`${dir}/latest.json`)
        yield* store.writeJson(`${dir}/latest.json`, { json: data.json, bytesFile })
        // the old blob is unreferenced only once latest.json points at the new one
        const oldFile = Option.getOrUndefined(previous) as { bytesFile?: string } | undefined
        if (oldFile?.bytesFile && oldFile.bytesFile !== bytesFile) yield* store.remove(`${dir}/${oldFile.bytesFile}`)
      }),
    latest: Effect.gen(function* () {
      const head = yield* store.readJson(`${dir}/latest.json`)
      if (Option.isNone(head)) return Option.none()
      const { json, bytesFile } = head.value as { json: unknown; bytesFile?: string }
      if (!bytesFile) return Option.some({ json })
      const bytes = yield* store.readBytes(`${dir}/${bytesFile}`)
      return Option.map(bytes, (b) => ({ json, bytes: b }))
    })
  }
}
