import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { FileResultsStore, SilentProgress, makePlan, runPlan } from "../src/index.js"
import { toyPipeline } from "./fixtures/toy-pipeline.js"

const run = (out: string, options: Parameters<typeof runPlan>[1]) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const plan = yield* makePlan(toyPipeline, {})
      return yield* runPlan(plan, options)
    }).pipe(Effect.provide(Layer.mergeAll(FileResultsStore(out), SilentProgress)))
  )

describe("environment.json", () => {
  it("records what the run ran on, as given", async () => {
    const out = mkdtempSync(join(tmpdir(), "samlab-env-"))
    await run(out, { environment: { node: "v20.0.0", git: { commit: "abc", dirty: false } } })
    expect(JSON.parse(readFileSync(join(out, "environment.json"), "utf8"))).toEqual({ node: "v20.0.0", git: { commit: "abc", dirty: false } })
  })

  it("is not written by a one-cell child run, nor without an environment", async () => {
    const child = mkdtempSync(join(tmpdir(), "samlab-env-"))
    await run(child, { onlyCell: 0, environment: { node: "x" } })
    expect(existsSync(join(child, "environment.json"))).toBe(false)
    const plain = mkdtempSync(join(tmpdir(), "samlab-env-"))
    await run(plain, {})
    expect(existsSync(join(plain, "environment.json"))).toBe(false)
  })
})
