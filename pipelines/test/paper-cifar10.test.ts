import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { ConfigDecodeError, makePlan } from "@samlab/pipeline"
import { assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { TrainConfigSchema } from "@samlab/steps"
import { paperCifar10 } from "../paper-cifar10.js"
import { writeSyntheticCifar10 } from "./helpers/synthetic-cifar.js"
import { useSwiftShader } from "@samlab/core-tensor"

const repo = fileURLToPath(new URL("../..", import.meta.url))
const bin = join(repo, "tools/cli/bin/samlab.mjs")

describe("paper-cifar10: presets and overrides", () => {
  it("plans every preset: the paper setting, the CPU reproduction and the quick job", () => {
    const cells = (preset: string) => Effect.runSync(makePlan(paperCifar10, { preset })).cells.map((c) => c.id)
    expect(cells("paper")).toHaveLength(5)
    expect(cells("cpu").length).toBeGreaterThanOrEqual(10) // five methods, two seeds at least
    expect(cells("quick")).toEqual(["method=erm,seed=0", "method=sam,seed=0"])
    const jacreg = Effect.runSync(makePlan(paperCifar10, { preset: "sweep-jacreg" }))
    expect(jacreg.cells).toHaveLength(24) // 2 weightings x 4 feature lambdas x 3 head lambdas
    expect(new Set(jacreg.cellConfigs.map((c) => JSON.stringify(c.options))).size).toBe(24)
    const paper = Effect.runSync(makePlan(paperCifar10, { preset: "paper" })).encoded
    expect(paper).toMatchObject({
      model: { kind: "resnet18" },
      batchSize: 128,
      epochs: 200,
      augment: true,
      base: { lr: 0.01, weightDecay: 5e-4 },
      options: { rho: 0.01 },
      noise: { kind: "symmetric", rate: 0.3 }
    })
  })

  it("plans the 1-SAM, conv-net, SANER and sweep presets with what each promises", () => {
    const plan = (preset: string) => Effect.runSync(makePlan(paperCifar10, { preset }))
    // each cell's train step config, read back through the step's own schema
    const train = (preset: string) => plan(preset).cellStepConfigs.map((c) => Schema.decodeUnknownSync(TrainConfigSchema)(c["train"]))
    const oneSam = train("cpu-1sam")
    expect(oneSam.map((t) => t.method)).toEqual(["erm", "erm", "sam", "sam", "lsam", "lsam", "jsam", "jsam", "jacreg", "jacreg"])
    expect(oneSam.every((t) => t.options.chunkSize === 1)).toBe(true)
    expect(train("cpu").map((t) => t.method)).toContain("saner")
    const cnn = train("cpu-cnn")
    expect(cnn.map((t) => t.method)).toEqual(["erm", "erm", "sam", "sam", "lsam", "lsam", "jsam", "jsam", "jacreg", "jacreg"])
    expect(cnn.every((t) => t.augment && JSON.stringify(t.model) === JSON.stringify({ kind: "resnet", blocks: [1, 1, 1], width: 8 }))).toBe(true)
    expect(plan("cpu-cnn").encoded).toMatchObject({ trainSize: 10000, noise: { kind: "symmetric", rate: 0.3 } })
    const rates = train("sweep-cnn-lr")
    expect(rates.map((t) => [t.method, t.base.lr])).toEqual([
      ["erm", 0.02],
      ["erm", 0.05],
      ["erm", 0.1]
    ])
    const rhos = train("sweep-cnn-rho")
    expect(rhos.map((t) => [t.method, t.base.lr, t.options.rho])).toEqual(rhos.map((t, i) => ["sam", cnn[0]?.base.lr, [0.05, 0.1, 0.2][i]]))
    expect(train("sweep-saner").map((t) => t.options.alpha)).toEqual([0, 0.25, 0.5, 0.75])
  })

  it.effect("reaches any field with --set and names a bad one", () =>
    Effect.gen(function* () {
      const plan = Effect.runSync(
        makePlan(paperCifar10, {
          preset: "cpu",
          overrides: ["noise.rate=0.6", "noise.kind=asymmetric", 'methods=["erm","sam1"]', "options.rho=0.1", "model.hidden=[64]"]
        })
      )
      expect(plan.encoded).toMatchObject({ noise: { rate: 0.6, kind: "asymmetric" }, options: { rho: 0.1 }, model: { hidden: [64] } })
      expect(plan.cellStepConfigs[0]?.["data"]).toMatchObject({ noise: { rate: 0.6, kind: "asymmetric" } })
      expect(plan.cells.map((c) => c.values["method"])).toContain("sam1")
      const cnn = Effect.runSync(makePlan(paperCifar10, { preset: "cpu", overrides: ['model={"kind":"cnn"}'] }))
      expect(cnn.encoded["model"]).toEqual({ kind: "cnn" }) // the MLP's hidden sizes are not carried over
      const sweep = Effect.runSync(makePlan(paperCifar10, { preset: "sweep-jacreg", overrides: ['sweep={"options.lambdaHead":[0.03,0.1]}'] }))
      expect(sweep.cells).toHaveLength(2) // the preset's other sweep axes are replaced, not kept
      const error = yield* Effect.flip(makePlan(paperCifar10, { preset: "cpu", overrides: ["noise.rate=2"] }))
      assert.instanceOf(error, ConfigDecodeError)
      expect(error.issues[0]?.path).toBe("noise.rate")
    })
  )
})

describe("paper-cifar10: sizes the data cannot hold are rejected when the config is decoded", () => {
  /** The config issues a plan fails with (none when it plans). */
  const issuesOf = (overrides: string[]): string[] =>
    Effect.runSync(
      makePlan(paperCifar10, { preset: "quick", overrides }).pipe(
        Effect.match({
          onSuccess: () => [],
          onFailure: (error) =>
            error instanceof ConfigDecodeError ? error.issues.map((i) => `${i.path}: ${i.message}`) : [`not a config error: ${error.message}`]
        })
      )
    )

  it("names trainSize, validationSize or testSize, and the batch a training split must fill", () => {
    expect(issuesOf(["trainSize=60000"])).toEqual([expect.stringMatching(/^trainSize: .*exceeds the 50000 training examples/)])
    expect(issuesOf(["trainSize=49500", "validationSize=1000"])).toEqual([expect.stringMatching(/^trainSize: trainSize 49500 \+ validationSize 1000 exceeds/)])
    expect(issuesOf(["trainSize=0", "validationSize=50000"])).toEqual([expect.stringMatching(/^validationSize: /)])
    expect(issuesOf(["testSize=20000"])).toEqual([expect.stringMatching(/^testSize: 20000 exceeds the 10000 test examples/)])
    expect(issuesOf(["trainSize=100", "batchSize=128"])).toEqual([expect.stringMatching(/^trainSize: 100 is fewer than one batch/)])
    expect(issuesOf(["trainSize=49000", "validationSize=1000", "testSize=10000"])).toEqual([])
    expect(issuesOf(["trainSize=60000", "records=any"])).toEqual([]) // your own files: checked against them when loaded
  })

  it("rejects empty seeds or methods, an unknown method in methodOptions and a sweep over the matrix's own axes", () => {
    expect(issuesOf(["seeds=[]"])).toEqual([expect.stringMatching(/^seeds: /)])
    expect(issuesOf(["methods=[]"])).toEqual([expect.stringMatching(/^methods: /)])
    expect(issuesOf(['methodOptions={"sma":{"rho":0.1}}'])).toEqual([
      expect.stringMatching(/^methodOptions\.sma: no method is called "sma" \(methods: erm, sam/)
    ])
    expect(issuesOf(['methodOptions={"sam":{"rho":0.1}}'])).toEqual([])
    // the model is checked by core-tensor's parseModelSpec, each problem at its field
    expect(issuesOf(["model.hidden=[64,0]"])).toEqual(["model.hidden[1]: must be a positive integer, got 0"])
    expect(issuesOf(['model={"kind":"resnet","blocks":[]}'])).toEqual(["model.blocks: must have at least 1 entry, got 0"])
    expect(issuesOf(["model.hidden=[64]"])).toEqual([])
    // the old key of the base optimizer alone: refused, naming its new name (no silent alias)
    expect(issuesOf(['methods=["sgd","sam"]'])).toEqual([expect.stringMatching(/^methods\.0: "sgd" is now "erm"/)])
    expect(issuesOf(['methods=["sma"]'])).toEqual([expect.stringMatching(/^methods\.0: must be one of erm, sam, asam/)])
    expect(issuesOf(['sweep={"seeds":[[0],[1]]}'])).toEqual([expect.stringMatching(/^sweep\.seeds: seeds is already an axis of the matrix/)])
  })
})

const run = (
  out: string,
  dir: string,
  extra: string[] = []
): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stderr: string }> } => {
  const args = [
    bin,
    "run",
    join(repo, "pipelines/paper-cifar10.ts"),
    "--preset",
    "quick",
    "--out",
    out,
    "--set",
    `dir=${dir}`,
    "--set",
    "records=any",
    "--set",
    "trainSize=300",
    "--set",
    "validationSize=50",
    "--set",
    "testSize=100",
    "--set",
    "epochs=5",
    "--set",
    "backend=cpu",
    "--set",
    "model.hidden=[32]",
    ...extra
  ]
  const child = spawn(process.execPath, args, { cwd: repo, env: { ...process.env, SAMLAB_BACKEND: "" } })
  let stderr = ""
  child.stderr?.on("data", (d) => (stderr += d))
  return { child, done: new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr }))) }
}

/** Results without wall-clock times, which legitimately differ between runs. */
const results = (out: string) => {
  const noTimes = (_k: string, v: unknown) => (_k === "wallSeconds" || _k === "evalSeconds" ? undefined : v)
  return {
    summary: JSON.parse(readFileSync(join(out, "summary.json"), "utf8"), noTimes),
    metrics: readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l, noTimes))
  }
}

const checkpointEpochs = (out: string): number[] => {
  const dir = join(out, "checkpoints")
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((k) => {
    const f = join(dir, k, "latest.json")
    const history: unknown = existsSync(f) ? JSON.parse(readFileSync(f, "utf8")).json.history : undefined
    return Array.isArray(history) ? [history.length] : []
  })
}

describe("paper-cifar10 end to end through the CLI (synthetic CIFAR-10 files)", () => {
  let data = ""
  beforeAll(() => {
    data = writeSyntheticCifar10(90, 100)
  })

  it("writes config, metrics, summary and report, and a SIGKILLed run resumes to identical results", async () => {
    const clean = mkdtempSync(join(tmpdir(), "samlab-paper-clean-"))
    const reference = await run(clean, data).done
    expect(reference.code, reference.stderr).toBe(0)
    for (const f of ["config.json", "metrics.jsonl", "summary.json", "report.html", "run.json"]) expect(existsSync(join(clean, f))).toBe(true)
    const ref = results(clean)
    expect(Object.keys(ref.summary.methods)).toEqual(["erm", "sam"])
    expect(ref.metrics).toHaveLength(10) // 5 epochs x 2 methods
    expect(ref.summary.methods.sam.bestTestAcc).toBeGreaterThan(0.2) // the synthetic classes are learnable
    expect(JSON.parse(readFileSync(join(clean, "config.json"), "utf8")).config.trainSize).toBe(300)

    await killAndResume(data, [], ref)
  }, 300_000)
})

describe("paper-cifar10: sweeps", () => {
  it("expands a sweep preset into cells per swept value, and each cell sees its value", () => {
    const plan = Effect.runSync(makePlan(paperCifar10, { preset: "sweep-noise" }))
    expect(plan.cells).toHaveLength(10)
    const rates = plan.cellConfigs.map((c) => c.noise.rate)
    expect([...new Set(rates)].sort()).toEqual([0, 0.2, 0.4, 0.6, 0.8])
    const width = Effect.runSync(makePlan(paperCifar10, { preset: "sweep-width" }))
    expect(width.cellConfigs.map((c) => c.model)).toContainEqual({ kind: "mlp", hidden: [1024, 1024] })
    expect(width.cellStepConfigs.map((c) => c["train"])).toContainEqual(expect.objectContaining({ model: { kind: "mlp", hidden: [1024, 1024] } }))
    for (const preset of ["sweep-size", "sweep-rho", "asymmetric"]) expect(Effect.runSync(makePlan(paperCifar10, { preset })).cells.length).toBeGreaterThan(1)
    // the reviewers' sweeps: one seed, no per-example decomposition
    for (const preset of ["sweep-noise", "sweep-size", "sweep-width", "sweep-rho", "asymmetric"]) {
      const cells = Effect.runSync(makePlan(paperCifar10, { preset })).cellConfigs
      expect(cells.every((c) => JSON.stringify(c.seeds) === "[0]" && c.decomposition.every === 0)).toBe(true)
    }
  })

  it.effect("rejects a sweep over a field the config does not have, and a swept value the config does not allow", () =>
    Effect.gen(function* () {
      const unknownField = yield* Effect.flip(makePlan(paperCifar10, { preset: "cpu", overrides: ['sweep={"noise.rat":[0.1]}'] }))
      expect(unknownField.message).toContain('sweep over "noise.rat": the config has no such field')
      const badValue = yield* Effect.flip(makePlan(paperCifar10, { preset: "cpu", overrides: ['sweep={"noise.rate":[0.2,1.5]}'] }))
      assert.instanceOf(badValue, ConfigDecodeError)
      expect(badValue.issues[0]?.path).toBe("noise.rate")
    })
  )
})

/** Every number of `got` within `rtol` of `want`'s (relative), everything else equal; the first difference's path, else undefined. */
const firstDifference = (got: unknown, want: unknown, rtol: number, path = ""): string | undefined => {
  if (typeof got === "number" && typeof want === "number")
    return Math.abs(got - want) <= rtol * Math.max(Math.abs(got), Math.abs(want)) ? undefined : `${path}: ${got} vs ${want}`
  if (typeof got !== "object" || got === null || typeof want !== "object" || want === null)
    return got === want ? undefined : `${path}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`
  const g = new Map(Object.entries(got))
  const w = new Map(Object.entries(want))
  for (const k of new Set([...g.keys(), ...w.keys()])) {
    const d = firstDifference(g.get(k), w.get(k), rtol, `${path}.${k}`)
    if (d !== undefined) return d
  }
  return undefined
}

/** A run killed midway and rerun: its results equal `reference`'s (the uninterrupted run's), to `rtol` relative when given. */
const killAndResume = async (data: string, extra: string[], reference: ReturnType<typeof results>, rtol?: number): Promise<void> => {
  const crashed = mkdtempSync(join(tmpdir(), "samlab-paper-crash-"))
  const first = run(crashed, data, extra)
  const until = Date.now() + 240_000
  while (!checkpointEpochs(crashed).some((e) => e >= 2) && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
  first.child.kill("SIGKILL")
  expect((await first.done).signal).toBe("SIGKILL")
  expect(existsSync(join(crashed, "summary.json"))).toBe(false)
  const rerun = await run(crashed, data, extra).done
  expect(rerun.code, rerun.stderr).toBe(0)
  expect(rerun.stderr).toMatch(/resumed after epoch [1-4]/)
  if (rtol === undefined) expect(results(crashed)).toEqual(reference)
  else expect(firstDifference(results(crashed), reference, rtol)).toBeUndefined()
}

// webgpu on SwiftShader (Vulkan on the CPU) when Debian's chromium is installed; slow, so a smaller run
const noSwiftShader = useSwiftShader()
describe.skipIf(noSwiftShader !== undefined)("paper-cifar10 with backend webgpu (SwiftShader)", () => {
  // Not bitwise: a resumed webgpu run on SwiftShader differed from the uninterrupted one by up to
  // about 1e-7 relative (measured), where the cpu backend's runs are identical (test above)
  it("resumes after SIGKILL with the numbers of an uninterrupted run, to 1e-6 relative", async () => {
    const data = writeSyntheticCifar10(40, 40)
    const small = [
      "--set",
      "backend=webgpu",
      "--set",
      "trainSize=64",
      "--set",
      "batchSize=32",
      "--set",
      "testSize=40",
      "--set",
      "validationSize=16",
      "--set",
      "epochs=4",
      "--set",
      "model.hidden=[8]",
      "--set",
      'methods=["sam"]'
    ]
    const clean = mkdtempSync(join(tmpdir(), "samlab-paper-webgpu-"))
    const reference = await run(clean, data, small).done
    expect(reference.code, reference.stderr).toBe(0)
    expect(reference.stderr).toContain("backend webgpu")
    await killAndResume(data, small, results(clean), 1e-6)
  }, 600_000)
})
