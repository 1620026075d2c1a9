import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema } from "effect"
import { FileResultsStore, PipelineDefinitionError, SilentProgress, StepFailedError, makePipeline, makePlan, makeStep, runPlan } from "../src/index.js"
import { counters, toyPipeline } from "./fixtures/toy-pipeline.js"

const run = (out: string, overrides: string[] = []) =>
  makePlan(toyPipeline, { overrides }).pipe(
    Effect.flatMap((plan) => runPlan(plan)),
    Effect.provide(Layer.mergeAll(FileResultsStore(out), SilentProgress))
  )

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"))

describe("runner", () => {
  it.effect("runs every cell and the aggregate, writes config and status, and skips stored steps on a rerun", () =>
    Effect.gen(function* () {
      const out = mkdtempSync(join(tmpdir(), "samlab-run-"))
      const before = counters()
      const result = yield* run(out)
      const after = counters()
      expect(after.trainRuns - before.trainRuns).toBe(2)
      expect(after.dataRuns - before.dataRuns).toBe(1) // both methods share seed 0's data
      expect(result?.aggregate["summary"]).toEqual({ mean: { sgd: expect.any(Number), sam: expect.any(Number) } })
      expect(readJson(join(out, "run.json")).state).toBe("complete")
      expect(readJson(join(out, "config.json")).config.epochs).toBe(6)
      expect(readdirSync(join(out, "checkpoints"))).toEqual([]) // cleared once outputs are stored

      const second = yield* run(out)
      expect(counters()).toEqual(after) // nothing recomputed, not even the data
      expect(second?.aggregate).toEqual(result?.aggregate)

      yield* run(out, ["epochs=7"])
      expect(counters().trainRuns - after.trainRuns).toBe(2)
      expect(counters().dataRuns - after.dataRuns).toBe(1)
    })
  )

  it.effect("reports a failing step with pipeline, step and cell, marks the run failed and stores nothing for it", () =>
    Effect.gen(function* () {
      const out = mkdtempSync(join(tmpdir(), "samlab-fail-"))
      const error = yield* Effect.flip(run(out, ["failAt=2", 'methods=["sam"]']))
      assert.instanceOf(error, StepFailedError)
      expect(error.message).toBe('step "train" of pipeline toy failed in cell method=sam,seed=0: diverged at epoch 2')
      const status = readJson(join(out, "run.json"))
      expect(status.state).toBe("failed")
      expect(status.error).toContain("diverged at epoch 2")
      expect(existsSync(join(out, "cache")) ? readdirSync(join(out, "cache")) : []).toEqual([])
    })
  )

  it.effect("refuses an ill-formed pipeline before running anything", () =>
    Effect.gen(function* () {
      const s = makeStep({ name: "a", config: Schema.Struct({}), run: () => Effect.succeed(1) })
      const p = makePipeline({ name: "bad", config: Schema.Struct({}) })
        .step(s, {})
        .step(s, {})
      const error = yield* Effect.flip(makePlan(p))
      assert.instanceOf(error, PipelineDefinitionError)
      expect(error.message).toContain('two steps are named "a"')
    })
  )
})

describe("run.json tells a live run from a dead or stopped one", () => {
  const slowStep = makeStep({ name: "slow", config: Schema.Struct({}), output: Schema.Number, run: () => Effect.as(Effect.sleep("600 millis"), 1) })
  const slow = makePipeline({ name: "slow", config: Schema.Struct({}) }).step(slowStep, {})
  const status = (out: string) => readJson(join(out, "run.json"))
  const runSlow = (out: string, options: Parameters<typeof runPlan>[1] = {}) =>
    makePlan(slow).pipe(
      Effect.flatMap((plan) => runPlan(plan, options)),
      Effect.provide(Layer.mergeAll(FileResultsStore(out), SilentProgress))
    )

  it.live("records the owner and refreshes a heartbeat while running, then the final state", () =>
    Effect.gen(function* () {
      const out = mkdtempSync(join(tmpdir(), "samlab-beat-"))
      const owner = { pid: process.pid, host: "here", startedAt: "2026-01-01T00:00:00.000Z" }
      const running = yield* Effect.forkChild(runSlow(out, { owner, heartbeatSeconds: 0.05 }))
      const beats = new Set<string>()
      while (beats.size < 3) {
        yield* Effect.sleep("30 millis")
        if (!existsSync(join(out, "run.json"))) continue
        const s = status(out)
        expect(s).toMatchObject({ state: "running", owner })
        beats.add(s.heartbeatAt)
      }
      yield* Fiber.join(running)
      expect(status(out)).toMatchObject({ state: "complete", owner })
      expect(status(out).heartbeatAt).toBeUndefined()
    })
  )

  it.live("marks an interrupted run (SIGINT, SIGTERM) interrupted, not running", () =>
    Effect.gen(function* () {
      const out = mkdtempSync(join(tmpdir(), "samlab-stop-"))
      const fiber = yield* Effect.forkChild(runSlow(out))
      yield* Effect.sleep("200 millis")
      expect(status(out).state).toBe("running")
      yield* Fiber.interrupt(fiber)
      expect(status(out).state).toBe("interrupted")
    })
  )
})
