import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TensorBackendLive } from "@samlab/core-tensor/effect"
import { FileResultsStore, SilentProgress, makePipeline, makePlan, makeStep, runPlan } from "@samlab/pipeline"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema } from "effect"
import { trainStep } from "../src/index.js"
import { tinyData } from "./helpers/tiny-data.js"

const tiny = makeStep({ name: "data", config: Schema.Struct({}), run: () => Effect.sync(tinyData) })
const pipeline = makePipeline({ name: "interrupt", config: Schema.Struct({}) })
  .step(tiny, {})
  .step(trainStep, { needs: ["data"], config: () => ({ method: "erm", model: { kind: "mlp", hidden: [16] }, epochs: 30, batchSize: 16 }) })
  .provide(() => TensorBackendLive("cpu"))

const run = (out: string) =>
  makePlan(pipeline).pipe(
    Effect.flatMap((plan) => runPlan(plan)),
    Effect.provide(Layer.mergeAll(FileResultsStore(out), SilentProgress))
  )
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"))
/** Epochs in each saved checkpoint of the run folder. */
const checkpointedEpochs = (out: string): number[] =>
  existsSync(join(out, "checkpoints"))
    ? readdirSync(join(out, "checkpoints")).flatMap((k) =>
        existsSync(join(out, "checkpoints", k, "latest.json")) ? [readJson(join(out, "checkpoints", k, "latest.json")).json.history.length] : []
      )
    : []
const withoutTimes = (v: unknown) => JSON.parse(JSON.stringify(v, (k, x) => (k === "wallSeconds" || k === "evalSeconds" ? undefined : x)))

describe("train step", () => {
  it.live(
    "interrupted, stores no result and leaves a checkpoint that a rerun resumes to the numbers of an uninterrupted run",
    () =>
      Effect.gen(function* () {
        const clean = mkdtempSync(join(tmpdir(), "samlab-train-clean-"))
        const reference = yield* run(clean)

        const out = mkdtempSync(join(tmpdir(), "samlab-train-interrupt-"))
        const fiber = yield* Effect.forkChild(run(out))
        while (!checkpointedEpochs(out).some((e) => e >= 2)) yield* Effect.sleep("5 millis")
        yield* Fiber.interrupt(fiber)
        const [saved] = checkpointedEpochs(out)
        expect(saved).toBeLessThan(30)
        expect(readJson(join(out, "run.json")).state).toBe("interrupted")
        expect(existsSync(join(out, "cache")) ? readdirSync(join(out, "cache")) : []).toEqual([])

        const resumed = yield* run(out)
        expect(withoutTimes(resumed?.cells[0]?.outputs["train"])).toEqual(withoutTimes(reference?.cells[0]?.outputs["train"]))
      }),
    // three 30-epoch runs: about 45 s on a busy 2-core machine, past the default limit when it is busier
    180_000
  )
})
