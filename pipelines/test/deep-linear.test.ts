import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigDecodeError, makePlan } from "@samlab/pipeline"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { deepLinear } from "../deep-linear.js"
import { planAndRun } from "./helpers/plan-and-run.js"

const plan = (preset?: string, overrides: string[] = []) => Effect.runSync(makePlan(deepLinear, { preset, overrides }))

describe("deep-linear: presets and overrides", () => {
  it("plans every preset: the default (rho grid x seeds) and quick", () => {
    expect(plan().cells).toHaveLength(3 * 2)
    for (const preset of Object.keys(deepLinear.presets)) expect(plan(preset).cells.length).toBeGreaterThan(0)
    expect(plan("quick").cells.map((c) => c.id)).toEqual(["rho=0.05,seed=0"])
  })

  it.effect("reaches any field with --set and names a bad one", () =>
    Effect.gen(function* () {
      const p = plan("quick", ["hidden=3", "data.muNorm=1", "rhos=[0.01,0.2]", "checkExamples=0", "steps=7"])
      expect(p.cells).toHaveLength(2)
      expect(p.cellStepConfigs[1]?.["train"]).toMatchObject({ hidden: 3, rho: 0.2, checkExamples: 0, steps: 7 })
      expect(p.cellStepConfigs[1]?.["data"]).toMatchObject({ muNorm: 1 })
      const error = yield* Effect.flip(makePlan(deepLinear, { preset: "quick", overrides: ["hidden=0"] }))
      assert.instanceOf(error, ConfigDecodeError)
      expect(error.issues[0]?.path).toBe("hidden")
    })
  )
})

describe("deep-linear: the quick preset end to end", () => {
  it.live("J-SAM and GD on the derived objective follow one trajectory; optim-jacobian-reg's objective checks out; files are written", () =>
    Effect.gen(function* () {
      const out = mkdtempSync(join(tmpdir(), "samlab-deep-linear-"))
      yield* planAndRun(deepLinear, out, { preset: "quick", overrides: ["backend=cpu"] })
      for (const f of [
        "summary.json",
        "metrics.jsonl",
        "report.html",
        "charts/param-rel-diff.svg",
        "charts/test-accuracy.svg",
        "charts/train-loss.svg",
        "charts/head-norm.svg"
      ])
        expect(existsSync(join(out, f)), f).toBe(true)
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
  )
})
