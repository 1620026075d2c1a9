import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { ConfigDecodeError, PresetNotFoundError, makePlan } from "../src/index.js"
import { toyPipeline } from "./fixtures/toy-pipeline.js"

const planOf = (options: Parameters<typeof makePlan>[1]) => Effect.runSync(makePlan(toyPipeline, options))
const failureOf = (options: Parameters<typeof makePlan>[1]) => {
  const exit = Effect.runSyncExit(makePlan(toyPipeline, options))
  if (Exit.isSuccess(exit)) throw new Error("expected the plan to fail")
  return (exit.cause as unknown as { reasons: Array<{ error: unknown }> }).reasons[0]!.error
}

describe("config: defaults, presets and overrides", () => {
  it("fills defaults and expands the matrix, first axis outermost", () => {
    const plan = planOf({})
    expect(plan.encoded).toEqual({ seeds: [0], methods: ["sgd", "sam"], epochs: 6, noise: { rate: 0.3 }, failAt: -1 })
    expect(plan.cells.map((c) => c.id)).toEqual(["method=sgd,seed=0", "method=sam,seed=0"])
  })

  it("applies a preset, then --set overrides decoded by the same schema", () => {
    const plan = planOf({ preset: "two", overrides: ["noise.rate=0.6", "epochs=2", "methods=[\"sam\"]"] })
    expect(plan.encoded).toMatchObject({ seeds: [0, 1], epochs: 2, noise: { rate: 0.6 }, methods: ["sam"] })
    expect(plan.cells.map((c) => c.id)).toEqual(["method=sam,seed=0", "method=sam,seed=1"])
    expect(plan.cellStepConfigs[1]!["data"]).toEqual({ seed: 1, rate: 0.6 })
  })

  it("replaces the value at an override's path rather than merging into it", () => {
    const plan = planOf({ preset: "two", overrides: ["noise.rate=0.6", "noise={}"] })
    expect(plan.encoded).toMatchObject({ seeds: [0, 1], noise: { rate: 0.3 } }) // the default, not the 0.6 set before
  })

  it("names the field path and the expectation of a bad value", () => {
    const err = failureOf({ overrides: ["noise.rate=1.5", "epochs=\"many\""] })
    expect(err).toBeInstanceOf(ConfigDecodeError)
    const issues = (err as ConfigDecodeError).issues
    expect(issues).toContainEqual({ path: "noise.rate", message: "Expected a value between 0 and 1" })
    expect(issues.find((i) => i.path === "epochs")?.message).toMatch(/number/)
    expect((err as ConfigDecodeError).message).toContain("noise.rate")
  })

  it("rejects an override of a field the schema does not have", () => {
    const err = failureOf({ overrides: ["noise.kind=asymmetric"] }) as ConfigDecodeError
    expect(err).toBeInstanceOf(ConfigDecodeError)
    expect(err.issues[0]!.path).toBe("noise.kind")
    expect(err.issues[0]!.message).toContain("unknown config field; fields there: rate")
  })

  it("rejects a malformed override and an unknown preset", () => {
    expect(failureOf({ overrides: ["epochs"] })).toBeInstanceOf(ConfigDecodeError)
    const err = failureOf({ preset: "paper" }) as PresetNotFoundError
    expect(err).toBeInstanceOf(PresetNotFoundError)
    expect(err.available).toEqual(["quick", "two"])
  })

  it("gives each step run a content address that changes only with what the step depends on", () => {
    const a = planOf({})
    const b = planOf({ overrides: ["epochs=7"] })
    const c = planOf({ overrides: ["noise.rate=0.1"] })
    expect(b.cellKeys[0]!["data"]).toBe(a.cellKeys[0]!["data"])
    expect(b.cellKeys[0]!["train"]).not.toBe(a.cellKeys[0]!["train"])
    expect(c.cellKeys[0]!["data"]).not.toBe(a.cellKeys[0]!["data"])
    expect(c.cellKeys[0]!["train"]).not.toBe(a.cellKeys[0]!["train"]) // its input changed
    expect(c.aggregateKeys["summary"]).not.toBe(a.aggregateKeys["summary"])
  })
})
