import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigDecodeError, makePlan } from "@samlab/pipeline"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { linearLogistic } from "../linear-logistic.js"
import { planAndRun } from "./helpers/plan-and-run.js"

const plan = (preset?: string, overrides: string[] = []) => Effect.runSync(makePlan(linearLogistic, { preset, overrides }))

describe("linear-logistic: presets and overrides", () => {
  it("plans every preset: the default (rho grid x seeds) and quick", () => {
    expect(plan().cells).toHaveLength(4 * 3)
    expect(plan().cells[0]?.id).toBe("rho=0,seed=0")
    for (const preset of Object.keys(linearLogistic.presets)) expect(plan(preset).cells.length).toBeGreaterThan(0)
    expect(plan("quick").cells.map((c) => c.id)).toEqual(["rho=0,seed=0", "rho=0.4,seed=0"])
    expect(plan("quick").cellStepConfigs[1]?.["train"]).toMatchObject({ rho: 0.4, steps: 150, recordEvery: 5, initScale: 1 })
  })

  it.effect("reaches any field with --set and names a bad one", () =>
    Effect.gen(function* () {
      const p = plan("quick", ["data.noiseRate=0.3", "data.d=40", "rhos=[0,0.1,0.2]", "seeds=[4,5]", "lr=0.02", "initScale=0"])
      expect(p.cells).toHaveLength(6)
      expect(p.cellStepConfigs[5]?.["data"]).toMatchObject({ noiseRate: 0.3, d: 40, seed: 5 })
      expect(p.cellStepConfigs[5]?.["train"]).toMatchObject({ rho: 0.2, lr: 0.02, initScale: 0, seed: 5 })
      const cases: ReadonlyArray<readonly [override: string, path: string]> = [
        ["data.noiseRate=1.5", "data.noiseRate"],
        ["rhos=[-0.1]", "rhos.0"],
        ["lr=0", "lr"],
        ["data.nosie=0.1", "data.nosie"]
      ]
      for (const [override, path] of cases) {
        const error = yield* Effect.flip(makePlan(linearLogistic, { preset: "quick", overrides: [override] }))
        assert.instanceOf(error, ConfigDecodeError, override)
        expect(error.issues[0]?.path).toBe(path)
      }
    })
  )
})

describe("linear-logistic: the quick preset end to end", () => {
  it.live("writes summary.json, metrics, charts and report; 1-SAM beats GD's peak, up-weights clean examples, matches the closed form", () =>
    Effect.gen(function* () {
      const out = mkdtempSync(join(tmpdir(), "samlab-linear-logistic-"))
      yield* planAndRun(linearLogistic, out, { preset: "quick", overrides: ["backend=cpu"] })
      for (const f of ["summary.json", "metrics.jsonl", "report.html", "charts/test-accuracy.svg", "charts/train-accuracy.svg", "charts/weight-ratio.svg"])
        expect(existsSync(join(out, f)), f).toBe(true)
      const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"))
      expect(summary.rhos.map((r: { rho: number }) => r.rho)).toEqual([0, 0.4])
      const [gd, sam] = summary.rhos
      // GD: every weight factor is 1 and the "closed form" is the identity
      expect(gd.weightRatioEarly).toBe(1)
      expect(gd.closedFormMaxRelErr).toBe(0)
      // 1-SAM: float32 agreement with sigma(-m + rho||x||)/sigma(-m), clean examples up-weighted early
      expect(sam.closedFormMaxRelErr).toBeGreaterThan(0)
      expect(sam.closedFormMaxRelErr).toBeLessThan(1e-4)
      expect(sam.weightRatioEarly).toBeGreaterThan(2)
      expect(summary.facts.weightRatioRisesWithRho).toBe(true)
      expect(summary.facts.peakGain).toBeGreaterThan(0.03)
      // both end up memorising the flipped labels (the point of early stopping)
      expect(gd.finalNoisyFit).toBeGreaterThan(0.9)
      const rows = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n")
      expect(rows).toHaveLength(2 * 31)
    })
  )
})
