import { TensorBackend } from "@samlab/core-tensor/effect"
import { Progress } from "@samlab/pipeline"
import { Effect } from "effect"
import { TheoryRunError } from "../errors.js"

/** Records a run of `steps` steps makes: step 0, every `recordEvery` steps, and the last step. */
const recordCount = (c: { readonly steps: number; readonly recordEvery: number }): number =>
  Math.floor(c.steps / c.recordEvery) + (c.steps % c.recordEvery === 0 ? 1 : 2)

/**
 * A theory train step's body: runs `run` (synchronous tensor work) with one progress line per
 * record (`tick`), timed, its failure a `TheoryRunError` naming `label`.
 */
export const timedTheoryRun = <T>(
  label: string,
  schedule: { readonly steps: number; readonly recordEvery: number },
  run: (tick: (note: string) => void) => T
) =>
  Effect.gen(function* () {
    const backend = yield* TensorBackend
    const progress = yield* Progress
    const task = progress.start(label, recordCount(schedule))
    const started = performance.now()
    const value = yield* Effect.try({ try: () => run((note) => task.tick(note)), catch: (cause) => new TheoryRunError({ step: "train", run: label, cause }) })
    const wallSeconds = (performance.now() - started) / 1000
    task.done()
    return { value, wallSeconds, backend: backend.name }
  })
