import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { goldenDir } from "@samlab/golden"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const bin = join(repo, "tools/cli/bin/samlab.mjs")

/** Runs the command asynchronously (a blocking spawn would stall the test worker). */
const samlab = (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, SAMLAB_BACKEND: "cpu", FORCE_COLOR: "0" } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

describe("samlab command line", () => {
  it("conformance prints exactly one JSON object in the fixture's layout", async () => {
    const r = await samlab("conformance", join(goldenDir, "sam-m2-arch0.json"))
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim().split("\n")).toHaveLength(1)
    const out = JSON.parse(r.stdout)
    expect(Object.keys(out)).toEqual(["lossBeforeEachStep", "layersAfterEachStep"])
    expect(out.layersAfterEachStep).toHaveLength(3)
    expect(out.layersAfterEachStep[0][0].W).toHaveLength(5) // [in, out] as in the fixture
    expect(r.stderr).toContain("backend cpu")
  })

  it("conformance names a malformed fixture and exits non-zero", async () => {
    const bad = join(mkdtempSync(join(tmpdir(), "samlab-bad-")), "bad.json")
    writeFileSync(
      bad,
      JSON.stringify({ model: { kind: "mlp", activation: "relu", layers: [] }, data: { x: [[1]], y: [0] }, optimizer: { method: "sam" }, steps: 1 })
    )
    const r = await samlab("conformance", bad)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/samlab conformance: .*(layers|rho|base)/)
  })

  it("data summary reports counts, the realised rate and the transition matrix (any record count when asked), and names a bad file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "samlab-cifar-"))
    const record = (label: number) => Uint8Array.from({ length: 3073 }, (_, i) => (i === 0 ? label : i % 251))
    const file = (labels: number[]) => Buffer.concat(labels.map((l) => record(l)))
    for (let f = 1; f <= 5; f++) writeFileSync(join(dir, `data_batch_${f}.bin`), file(Array.from({ length: 20 }, (_, i) => i % 10)))
    writeFileSync(join(dir, "test_batch.bin"), file(Array.from({ length: 10 }, (_, i) => i)))
    // 20 records per file is not CIFAR-10: refused unless the user asks for any count
    const official = await samlab("data", "summary", "--dataset", "cifar10", "--dir", dir, "--noise", "symmetric", "--rate", "0.3", "--seed", "1")
    expect(official.code).toBe(1)
    expect(official.stderr).toMatch(/data_batch_1\.bin: wrong file size: 20 records, expected 10000/)
    const r = await samlab("data", "summary", "--dataset", "cifar10", "--dir", dir, "--noise", "symmetric", "--rate", "0.3", "--seed", "1", "--records", "any")
    expect(r.code, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(s.train.n).toBe(100)
    expect(s.train.noisy).toBe(30)
    expect(s.train.noiseRate).toBeCloseTo(0.3, 10)
    expect(s.train.transition).toHaveLength(10)
    for (const row of s.train.transition) expect(row.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 10)
    expect(s.test).toEqual({ n: 10, perClass: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] })

    writeFileSync(join(dir, "data_batch_3.bin"), Buffer.concat([file([1, 2]), Buffer.from([7, 7, 7])]))
    const bad = await samlab("data", "summary", "--dataset", "cifar10", "--dir", dir, "--noise", "none", "--rate", "0", "--seed", "1", "--records", "any")
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain("data_batch_3.bin")
  })

  it("lists a pipeline's steps, presets and defaults, and rejects unknown commands and options", async () => {
    const list = await samlab("list", "pipelines/paper-cifar10.ts")
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toContain("per cell   train <- data")
    expect(list.stdout).toMatch(/cpu: 12 cell\(s\)/) // 6 methods x 2 seeds
    const unknown = await samlab("frobnicate")
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('Unknown subcommand "frobnicate"')
    const badOption = await samlab("run", "pipelines/paper-cifar10.ts", "--presett", "cpu")
    expect(badOption.code).toBe(2)
    expect(badOption.stderr).toContain("Unrecognized flag: --presett")
    expect(badOption.stderr).toMatch(/Did you mean this\?\s+--preset/)
    expect(badOption.stdout).toBe("")
  })

  it("has help for every command (-h and --help, exit 0), --version, and shell completions", async () => {
    for (const command of ["run", "list", "backends", "conformance", "bench", "data summary"]) {
      for (const flag of ["--help", "-h"]) {
        const r = await samlab(...command.split(" "), flag)
        expect(r.code, `${command} ${flag}: ${r.stderr}`).toBe(0)
        expect(r.stdout).toContain(`samlab ${command}`)
      }
    }
    const version = await samlab("--version")
    expect(version.code).toBe(0)
    expect(version.stdout.trim()).toBe(`samlab v${JSON.parse(readFileSync(join(repo, "tools/cli/package.json"), "utf8")).version}`)
    const completions = await samlab("--completions", "bash")
    expect(completions.code).toBe(0)
    expect(completions.stdout).toContain("samlab")
    expect(completions.stdout).toContain("conformance")
  }, 300_000) // fourteen processes: slow on a loaded machine

  it("says which value is wrong, with exit code 2, before running anything", async () => {
    const r = await samlab("bench", "--models", "mlp,foo")
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Invalid value for flag --models: "mlp,foo"')
    for (const bad of ["0", "-1", "1.5"]) {
      const concurrency = await samlab("run", "pipelines/paper-cifar10.ts", "--concurrency", bad)
      expect(concurrency.code, bad).toBe(2)
      expect(concurrency.stderr, bad).toContain("--concurrency")
    }
    const missing = await samlab("run")
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/pipeline/)
  })
})
