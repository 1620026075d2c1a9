import { spawn } from "node:child_process"
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const bin = join(repo, "tools/cli/bin/samlab.mjs")

/** The command run from a scratch folder outside the repository, as a user with their own pipelines would. */
const samlab = (cwd: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, SAMLAB_BACKEND: "cpu" } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

const scratch = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), "samlab-user-pipeline-"))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

/** Five training files of 20 records and a test file of 10, in CIFAR-10's binary layout (labels cycle 0..9). */
const tinyCifar = (dir: string) => {
  const record = (label: number) => Uint8Array.from({ length: 3073 }, (_, i) => (i === 0 ? label : (i * 7 + label) % 251))
  const file = (n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => record(i % 10)))
  for (let f = 1; f <= 5; f++) writeFileSync(join(dir, `data_batch_${f}.bin`), file(20))
  writeFileSync(join(dir, "test_batch.bin"), file(10))
}

describe("pipeline files outside the repository", () => {
  it("an unmodified copy of paper-cifar10.ts and common.ts in a scratch folder lists and runs", async () => {
    const dir = scratch({})
    for (const f of ["paper-cifar10.ts", "common.ts"]) copyFileSync(join(repo, "pipelines", f), join(dir, f))
    const list = await samlab(dir, "list", "paper-cifar10.ts")
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toContain("pipeline paper-cifar10:")
    expect(list.stdout).toMatch(/cpu: 12 cell\(s\)/)

    tinyCifar(dir)
    const out = join(dir, "out")
    const sets = [
      `dir=${JSON.stringify(dir)}`,
      'records="any"',
      "trainSize=0",
      "validationSize=20",
      "testSize=10",
      "batchSize=16",
      "epochs=1",
      'methods=["erm"]',
      "seeds=[0]"
    ]
    const run = await samlab(dir, "run", "paper-cifar10.ts", "--preset", "quick", "--out", out, ...sets.flatMap((s) => ["--set", s]))
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).state).toBe("complete")
    expect(readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n")).toHaveLength(1)
  }, 180_000)

  it("a JavaScript pipeline with no package.json above it loads as ESM", async () => {
    const dir = scratch({
      "p.js":
        'import { makePipeline } from "@samlab/pipeline"\nimport { Schema } from "effect"\nexport default makePipeline({ name: "plain-js", config: Schema.Struct({}) })\n'
    })
    const r = await samlab(dir, "list", "p.js")
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("pipeline plain-js")
  }, 120_000)

  it("names the file and what its default export is when that is not a pipeline", async () => {
    const dir = scratch({ "n.ts": "export default 42\n", "o.mts": "const x: number = 1\nexport default { answer: x }\n", "none.ts": "export const y = 1\n" })
    const n = await samlab(dir, "list", "n.ts")
    expect(n.code).toBe(1)
    expect(n.stderr).toContain(`${join(dir, "n.ts")}: the default export is the number 42, not a samlab pipeline`)
    const o = await samlab(dir, "list", "o.mts")
    expect(o.stderr).toContain(`${join(dir, "o.mts")}: the default export is an object with keys answer, not a samlab pipeline`)
    const none = await samlab(dir, "list", "none.ts")
    expect(none.stderr).toContain(`${join(dir, "none.ts")}: the default export is missing (no default export and no export named "pipeline")`)
  }, 120_000)

  it("reports a syntax error as file:line:col and the parser's message, in TypeScript, in a file it imports, and in JavaScript", async () => {
    const dir = scratch({
      "s.ts": 'import { Schema } from "effect"\nconst a = 1\nexport default (a +\n',
      "imports-bad.ts": 'import { b } from "./bad.js"\nexport default b\n',
      "bad.ts": "export const b = 1\nexport const c = ]\n",
      "s.mjs": "const a = 1\nexport default a a\n"
    })
    const ts = await samlab(dir, "list", "s.ts")
    expect(ts.code).toBe(1)
    expect(ts.stderr).toContain(`${join(dir, "s.ts")}:4:1: syntax error: Unexpected end of file`)
    const imported = await samlab(dir, "list", "imports-bad.ts")
    expect(imported.stderr).toContain(`${join(dir, "bad.ts")}:2:18: syntax error: Unexpected "]"`)
    const js = await samlab(dir, "list", "s.mjs")
    expect(js.stderr).toContain(`${join(dir, "s.mjs")}:2:18: syntax error: Unexpected identifier 'a'`)
    for (const r of [ts, imported, js]) expect(r.stderr).not.toContain("Cannot require() ES Module")
  }, 120_000)

  it("says which import is missing and which file is absent", async () => {
    const dir = scratch({ "m.ts": 'import "no-such-package-samlab"\nexport default 1\n' })
    const missing = await samlab(dir, "list", "m.ts")
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain(`cannot load pipeline file ${join(dir, "m.ts")}: Cannot find package 'no-such-package-samlab'`)
    const absent = await samlab(dir, "list", "absent.ts")
    expect(absent.stderr).toContain(`cannot load pipeline file ${join(dir, "absent.ts")}: no such file`)
  }, 120_000)
})
