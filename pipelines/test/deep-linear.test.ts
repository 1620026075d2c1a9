import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigDecodeError, FileResultsStore, SilentProgress, makePlan, runPlan } from "@samlab/pipeline"
import { Effect, Exit, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { deepLinear } from "../deep-linear.js"

const plan = (preset?: string, overrides: string[] = []) => Effect.runSync(makePlan(deepLinear, { preset, overrides }))

describe("deep-linear: presets and overrides", () => {
  it("plans every preset: the default (rho grid x seeds) and quick", () => {
    expect(plan().cells).toHaveLength(3 * 2)
    for (const preset of Object.keys(deepLinear.presets)) expect(plan(preset).cells.length).toBeGreaterThan(0)
    expect(plan("quick").cells.map((c) => c.id)).toEqual(["rho=0.05,seed=0"])
  })

  it("reaches any field with --set and names a bad one", () => {
    const p = plan("quick", ["hidden=3", "data.muNorm=1", "rhos=[0.01,0.2]", "checkExamples=0", "steps=7"])
    expect(p.cells).toHaveLength(2)
    expect(p.cellStepConfigs[1]!["train"]).toMatchObject({ hidden: 3, rho: 0.2, checkExamples: 0, steps: 7 })
    expect(p.cellStepConfigs[1]!["data"]).toMatchObject({ muNorm: 1 })
    const exit = Effect.runSyncExit(makePlan(deepLinear, { preset: "quick", overrides: ["hidden=0"] }))
    const error = Exit.isFailure(exit) ? (exit.cause as unknown as { reasons: Array<{ error: unknown }> }).reasons[0]!.error : undefined
    expect(error).toBeInstanceOf(ConfigDecodeError)
    expect((error as ConfigDecodeError).issues[0]!.path).toBe("hidden")
  })
})

describe("deep-linear: the quick preset end to end", () => {
  it("J-SAM and GD on the derived objective follow one trajectory; optim-jacobian-reg's objective checks out; files are written", async () => {
    const out = mkdtempSync(join(tmpdir(), "samlab-deep-linear-"))
    await Effect.runPromise(
      Effect.gen(function* () {
        const p = yield* makePlan(deepLinear, { preset: "quick", overrides: ["backend=cpu"] })
        return yield* runPlan(p)
      }).pipe(Effect.provide(Layer.mergeAll(FileResultsStore(out), SilentProgress)))
    )
    for (const f of ["summary.json", "metrics.jsonl", "report.html", "charts/param-rel-diff.svg", "charts/test-accuracy.svg", "charts/train-loss.svg", "charts/head-norm.svg"]) expect(existsSync(join(out, f)), f).toBe(true)
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"))
    expect(summary.facts.trajectoriesMatch).toBe(true)
    expect(summary.facts.maxParamRelDiff).toBeLessThan(1e-5)
    expect(summary.facts.objectiveCheckMaxRelErr).toBeLessThan(1e-5)
    const [r] = summary.rhos
    expect(r.trainers.jsam.finalTestAcc).toBe(r.trainers.objective.finalTestAcc)
    expect(r.trainers.jsam.finalTrainLoss).toBeCloseTo(r.trainers.objective.finalTrainLoss, 5)
    // the penalty keeps ||v|| below plain GD's
    expect(r.trainers.jsam.finalHeadNormSq).toBeLessThan(r.trainers.gd.finalHeadNormSq)
  })
})
