import { mkdtempSync, readFileSync, existsSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Fiber, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { FileResultsStore, SilentProgress, StepFailedError, makePipeline, makePlan, makeStep, runPlan } from "../src/index.js"
import { counters, toyPipeline } from "./fixtures/toy-pipeline.js"
import { Schema } from "effect"

const run = (out: string, overrides: string[] = []) =>
  Effect.runPromiseExit(
    Effect.gen(function* () {
      const plan = yield* makePlan(toyPipeline, { overrides })
      return yield* runPlan(plan)
    }).pipe(Effect.provide(Layer.mergeAll(FileResultsStore(out), SilentProgress)))
  )

describe("runner", () => {
  it("runs every cell and the aggregate, writes config and status, and skips stored steps on a rerun", async () => {
    const out = mkdtempSync(join(tmpdir(), "samlab-run-"))
    const before = counters()
    const first = await run(out)
    expect(Exit.isSuccess(first)).toBe(true)
    const after = counters()
    expect(after.trainRuns - before.trainRuns).toBe(2)
    expect(after.dataRuns - before.dataRuns).toBe(1) // both methods share seed 0's data
    const result = Exit.isSuccess(first) ? first.value! : undefined
    expect(Object.keys((result!.aggregate["summary"] as { mean: object }).mean)).toEqual(["sgd", "sam"])
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).state).toBe("complete")
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).config.epochs).toBe(6)
    expect(readdirSync(join(out, "checkpoints"))).toEqual([]) // cleared once outputs are stored

    const second = await run(out)
    expect(counters()).toEqual(after) // nothing recomputed, not even the data
    expect(Exit.isSuccess(second) && second.value!.aggregate).toEqual(result!.aggregate)

    await run(out, ["epochs=7"])
    expect(counters().trainRuns - after.trainRuns).toBe(2)
    expect(counters().dataRuns - after.dataRuns).toBe(1)
  })

  it("reports a failing step with pipeline, step and cell, marks the run failed and stores nothing for it", async () => {
    const out = mkdtempSync(join(tmpdir(), "samlab-fail-"))
    const exit = await run(out, ["failAt=2", "methods=[\"sam\"]"])
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? (exit.cause as unknown as { reasons: Array<{ error: unknown }> }).reasons[0]!.error : undefined
    expect(error).toBeInstanceOf(StepFailedError)
    expect((error as StepFailedError).message).toBe('step "train" of pipeline toy failed in cell method=sam,seed=0: diverged at epoch 2')
    const status = JSON.parse(readFileSync(join(out, "run.json"), "utf8"))
    expect(status.state).toBe("failed")
    expect(status.error).toContain("diverged at epoch 2")
    expect(existsSync(join(out, "cache")) ? readdirSync(join(out, "cache")) : []).toEqual([])
  })

  it("refuses an ill-formed pipeline before running anything", () => {
    const s = makeStep({ name: "a", config: Schema.Struct({}), run: () => Effect.succeed(1) })
    const p = makePipeline({ name: "bad", config: Schema.Struct({}) }).step(s, { config: () => ({}) }).step(s, { config: () => ({}) })
    const exit = Effect.runSyncExit(makePlan(p))
    expect(Exit.isFailure(exit) && String((exit.cause as any).reasons[0].error.message)).toContain('two steps are named "a"')
  })

  it("checks step wiring at compile time", () => {
    const needsNumber = makeStep({ name: "b", config: Schema.Struct({}), run: (_c: {}, i: { a: number }) => Effect.succeed(i.a) })
    const givesString = makeStep({ name: "a", config: Schema.Struct({}), run: () => Effect.succeed("x") })
    const base = makePipeline({ name: "typed", config: Schema.Struct({}) }).step(givesString, { config: () => ({}) })
    // @ts-expect-error "a" gives a string where "b" needs a number
    base.step(needsNumber, { needs: ["a"], config: () => ({}) })
    expect(true).toBe(true)
  })
})

describe("run.json tells a live run from a dead or stopped one", () => {
  const slowStep = makeStep({ name: "slow", config: Schema.Struct({}), output: Schema.Number, run: () => Effect.as(Effect.sleep("600 millis"), 1) })
  const slow = makePipeline({ name: "slow", config: Schema.Struct({}) }).step(slowStep, { config: () => ({}) })
  const status = (out: string) => JSON.parse(readFileSync(join(out, "run.json"), "utf8"))

  it("records the owner and refreshes a heartbeat while running, then the final state", async () => {
    const out = mkdtempSync(join(tmpdir(), "samlab-beat-"))
    const owner = { pid: process.pid, host: "here", startedAt: "2026-01-01T00:00:00.000Z" }
    const running = Effect.runPromise(
      Effect.gen(function* () {
        return yield* runPlan(yield* makePlan(slow), { owner, heartbeatSeconds: 0.05 })
      }).pipe(Effect.provide(Layer.mergeAll(FileResultsStore(out), SilentProgress)))
    )
    const beats = new Set<string>()
    while (beats.size < 3) {
      await new Promise((r) => setTimeout(r, 30))
      if (!existsSync(join(out, "run.json"))) continue
      const s = status(out)
      expect(s).toMatchObject({ state: "running", owner })
      beats.add(s.heartbeatAt)
    }
    await running
    expect(status(out)).toMatchObject({ state: "complete", owner })
    expect(status(out).heartbeatAt).toBeUndefined()
  })

  it("marks an interrupted run (SIGINT, SIGTERM) interrupted, not running", async () => {
    const out = mkdtempSync(join(tmpdir(), "samlab-stop-"))
    const fiber = Effect.runFork(
      Effect.gen(function* () {
        return yield* runPlan(yield* makePlan(slow))
      }).pipe(Effect.provide(Layer.mergeAll(FileResultsStore(out), SilentProgress)))
    )
    await new Promise((r) => setTimeout(r, 200))
    expect(status(out).state).toBe("running")
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(status(out).state).toBe("interrupted")
  })
})
