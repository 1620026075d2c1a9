import { assert, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConfigDecodeError, type PlanOptions, PresetNotFoundError, makePlan } from "../src/index.js"
import { toyPipeline } from "./fixtures/toy-pipeline.js"

const planOf = (options: PlanOptions) => makePlan(toyPipeline, options)
/** The typed error a plan fails with (a plan that succeeds fails the test). */
const failureOf = (options: PlanOptions) => Effect.flip(makePlan(toyPipeline, options))

describe("config: defaults, presets and overrides", () => {
  it.effect("fills defaults and expands the matrix, first axis outermost", () =>
    Effect.gen(function* () {
      const plan = yield* planOf({})
      expect(plan.encoded).toEqual({ seeds: [0], methods: ["sgd", "sam"], epochs: 6, noise: { rate: 0.3 }, failAt: -1 })
      expect(plan.cells.map((c) => c.id)).toEqual(["method=sgd,seed=0", "method=sam,seed=0"])
    })
  )

  it.effect("applies a preset, then --set overrides decoded by the same schema", () =>
    Effect.gen(function* () {
      const plan = yield* planOf({ preset: "two", overrides: ["noise.rate=0.6", "epochs=2", 'methods=["sam"]'] })
      expect(plan.encoded).toMatchObject({ seeds: [0, 1], epochs: 2, noise: { rate: 0.6 }, methods: ["sam"] })
      expect(plan.cells.map((c) => c.id)).toEqual(["method=sam,seed=0", "method=sam,seed=1"])
      expect(plan.cellStepConfigs[1]?.["data"]).toEqual({ seed: 1, rate: 0.6 })
    })
  )

  it.effect("replaces the value at an override's path rather than merging into it", () =>
    Effect.gen(function* () {
      const plan = yield* planOf({ preset: "two", overrides: ["noise.rate=0.6", "noise={}"] })
      expect(plan.encoded).toMatchObject({ seeds: [0, 1], noise: { rate: 0.3 } }) // the default, not the 0.6 set before
    })
  )

  it.effect("names the field path and the expectation of a bad value", () =>
    Effect.gen(function* () {
      const err = yield* failureOf({ overrides: ["noise.rate=1.5", 'epochs="many"'] })
      assert.instanceOf(err, ConfigDecodeError)
      const issues = err.issues
      expect(issues).toContainEqual({ path: "noise.rate", message: "Expected a value between 0 and 1" })
      expect(issues.find((i) => i.path === "epochs")?.message).toMatch(/number/)
      expect(err.message).toContain("noise.rate")
    })
  )

  it.effect("rejects an override of a field the schema does not have", () =>
    Effect.gen(function* () {
      const err = yield* failureOf({ overrides: ["noise.kind=asymmetric"] })
      assert.instanceOf(err, ConfigDecodeError)
      expect(err.issues[0]?.path).toBe("noise.kind")
      expect(err.issues[0]?.message).toContain("unknown config field; fields there: rate")
    })
  )

  it.effect("rejects a malformed override and an unknown preset", () =>
    Effect.gen(function* () {
      expect(yield* failureOf({ overrides: ["epochs"] })).toBeInstanceOf(ConfigDecodeError)
      const err = yield* failureOf({ preset: "paper" })
      assert.instanceOf(err, PresetNotFoundError)
      expect(err.available).toEqual(["quick", "two"])
    })
  )

  it.effect("gives each step run a content address that changes only with what the step depends on", () =>
    Effect.gen(function* () {
      const a = yield* planOf({})
      const b = yield* planOf({ overrides: ["epochs=7"] })
      const c = yield* planOf({ overrides: ["noise.rate=0.1"] })
      expect(b.cellKeys[0]?.["data"]).toBe(a.cellKeys[0]?.["data"])
      expect(b.cellKeys[0]?.["train"]).not.toBe(a.cellKeys[0]?.["train"])
      expect(c.cellKeys[0]?.["data"]).not.toBe(a.cellKeys[0]?.["data"])
      expect(c.cellKeys[0]?.["train"]).not.toBe(a.cellKeys[0]?.["train"]) // its input changed
      expect(c.aggregateKeys["summary"]).not.toBe(a.aggregateKeys["summary"])
    })
  )
})
