import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { FileResultsStore, type RunOptions, SilentProgress, makePlan, runPlan } from "../src/index.js"
import { toyPipeline } from "./fixtures/toy-pipeline.js"

const run = (out: string, options: RunOptions) =>
  makePlan(toyPipeline, {}).pipe(
    Effect.flatMap((plan) => runPlan(plan, options)),
    Effect.provide(Layer.mergeAll(FileResultsStore(out), SilentProgress))
  )

describe("environment.json", () => {
  it.effect("records what the run ran on, as given", () =>
    Effect.gen(function* () {
      const out = mkdtempSync(join(tmpdir(), "samlab-env-"))
      yield* run(out, { environment: { node: "v20.0.0", git: { commit: "abc", dirty: false } } })
      expect(JSON.parse(readFileSync(join(out, "environment.json"), "utf8"))).toEqual({ node: "v20.0.0", git: { commit: "abc", dirty: false } })
    })
  )

  it.effect("is not written by a one-cell child run, nor without an environment", () =>
    Effect.gen(function* () {
      const child = mkdtempSync(join(tmpdir(), "samlab-env-"))
      yield* run(child, { onlyCell: 0, environment: { node: "x" } })
      expect(existsSync(join(child, "environment.json"))).toBe(false)
      const plain = mkdtempSync(join(tmpdir(), "samlab-env-"))
      yield* run(plain, {})
      expect(existsSync(join(plain, "environment.json"))).toBe(false)
    })
  )
})
