import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { FileResultsStore, Progress, makePlan, makeStepCheckpoint, runPlan } from "../src/index.js"
import { makeFileStore } from "../src/services/store.js"
import { counters, toyPipeline } from "./fixtures/toy-pipeline.js"

/** Runs the toy pipeline (SAM only) into `out`; fails the test if the run fails. */
const run = (out: string) => {
  const logs: string[] = []
  const progress = Layer.succeed(Progress, { start: () => ({ tick: () => {}, done: () => {} }), log: (line: string) => void logs.push(line) })
  return makePlan(toyPipeline, { overrides: ['methods=["sam"]'] }).pipe(
    Effect.flatMap((plan) => runPlan(plan)),
    Effect.provide(Layer.mergeAll(FileResultsStore(out), progress)),
    Effect.map((result) => ({ logs, aggregate: result?.aggregate }))
  )
}

/** The cache file of the train step (the one with the "accuracyPerEpoch" output). */
const trainEntry = (out: string) =>
  readdirSync(join(out, "cache"))
    .map((f) => join(out, "cache", f))
    .find((f) => readFileSync(f, "utf8").includes("accuracyPerEpoch"))!

describe("stored outputs and checkpoints carry a checksum", () => {
  it.effect("a cached output corrupted in place (same size) is named, discarded and recomputed to the true value", () =>
    Effect.gen(function* () {
      const out = mkdtempSync(join(tmpdir(), "samlab-corrupt-"))
      const clean = yield* run(out)
      const file = trainEntry(out)
      const text = readFileSync(file, "utf8")
      const digit = text.search(/"final": 0\.\d*[1-8]/)
      const at = text.indexOf(".", digit) + 2
      writeFileSync(file, text.slice(0, at) + String((Number(text[at]) + 1) % 10) + text.slice(at + 1)) // same size, one digit changed
      const before = counters().trainRuns
      const rerun = yield* run(out)
      expect(counters().trainRuns - before).toBe(1)
      expect(rerun.logs.join("\n")).toContain(`discarding cached output ${file}: checksum mismatch`)
      expect(rerun.aggregate).toEqual(clean.aggregate)
    })
  )

  it.effect("a truncated cache entry does not block the rerun: named and recomputed", () =>
    Effect.gen(function* () {
      const out = mkdtempSync(join(tmpdir(), "samlab-truncated-"))
      const clean = yield* run(out)
      const file = trainEntry(out)
      writeFileSync(file, readFileSync(file, "utf8").slice(0, 40))
      const rerun = yield* run(out)
      expect(rerun.logs.join("\n")).toMatch(new RegExp(`discarding cached output ${file}: not JSON`))
      expect(rerun.aggregate).toEqual(clean.aggregate)
    })
  )

  it.effect("a checkpoint whose blob or JSON was damaged is named and discarded (the step starts over), never trusted", () =>
    Effect.gen(function* () {
      const root = mkdtempSync(join(tmpdir(), "samlab-ckpt-"))
      const store = makeFileStore(root)
      const warnings: string[] = []
      const checkpoint = makeStepCheckpoint(store, "k1", (line) => warnings.push(line))
      const bytes = Uint8Array.from({ length: 64 }, (_, i) => i)
      yield* checkpoint.save({ json: { epoch: 3 }, bytes })
      const saved = yield* checkpoint.latest
      expect(Option.getOrUndefined(saved)).toEqual({ json: { epoch: 3 }, bytes })

      const dir = join(root, "checkpoints", "k1")
      const blob = readdirSync(dir).find((f) => f.endsWith(".bin"))!
      const damaged = Uint8Array.from(bytes)
      damaged[10] = 99 // same size, one byte changed
      writeFileSync(join(dir, blob), damaged)
      expect(Option.isNone(yield* checkpoint.latest)).toBe(true)
      expect(warnings).toEqual([`discarding checkpoint ${dir}/${blob}: checksum mismatch; the step starts over`])

      yield* checkpoint.save({ json: { epoch: 4 }, bytes })
      writeFileSync(join(dir, "latest.json"), readFileSync(join(dir, "latest.json"), "utf8").replace('"epoch": 4', '"epoch": 5'))
      expect(Option.isNone(yield* checkpoint.latest)).toBe(true)
      yield* checkpoint.save({ json: { epoch: 4 }, bytes })
      writeFileSync(join(dir, "latest.json"), '{ "json": ')
      expect(Option.isNone(yield* checkpoint.latest)).toBe(true)
      expect(warnings.slice(1)).toEqual([
        `discarding checkpoint ${dir}/latest.json: checksum mismatch; the step starts over`,
        expect.stringMatching(/latest\.json: not JSON/)
      ])
    })
  )
})
