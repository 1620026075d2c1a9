import { spawn } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Pipeline, makePlan } from "@samlab/pipeline"
import { selectBackend } from "@samlab/core-tensor"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { loadPipeline } from "../src/load-pipeline.js"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const readme = readFileSync(join(repo, "README.md"), "utf8")

/** The fenced code blocks of a Markdown text with their language. */
const codeBlocks = (markdown: string): Array<{ lang: string; code: string }> =>
  [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }))

const blocks = codeBlocks(readme)
const typescript = blocks.filter((b) => b.lang === "ts")
const shell = blocks.filter((b) => b.lang === "bash")
const scratch = join(repo, "tmp", "readme-examples")

/** Runs a TypeScript file in a fresh Node process through tsx, with the repository's tsconfig paths (sources, no build). */
const runFresh = (file: string): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repo, "node_modules/tsx/dist/cli.mjs"), "--tsconfig", join(repo, "tsconfig.json"), file], {
      cwd: repo,
      env: { ...process.env, SAMLAB_BACKEND: "cpu" }
    })
    let output = ""
    child.stdout.on("data", (d) => (output += d))
    child.stderr.on("data", (d) => (output += d))
    child.on("close", (code) => resolve({ code, output }))
  })

beforeAll(async () => {
  await selectBackend({ backend: "cpu", log: () => {} })
  mkdirSync(scratch, { recursive: true })
})

describe("the README's examples run as written", () => {
  it("has TypeScript and shell examples", () => {
    expect(typescript.length).toBeGreaterThanOrEqual(4)
    expect(shell.length).toBeGreaterThanOrEqual(2)
  })

  typescript.forEach((block, i) => {
    const title = block.code.split("\n").find((l) => /^(const|export|await) /.test(l)) ?? `block ${i}`
    it.live(`TypeScript example ${i + 1}: ${title.slice(0, 60)}`, () =>
      Effect.gen(function* () {
        const file = join(scratch, `example-${i}.ts`)
        writeFileSync(file, block.code)
        // A fresh process, as a user's: nothing set up beforehand (no backend chosen, no registrations).
        const fresh = yield* Effect.promise(() => runFresh(file))
        expect(fresh.code, fresh.output).toBe(0)
        const mod: Record<string, unknown> = yield* Effect.promise(() => import(file))
        // A pipeline example must also plan: its config decodes, its presets apply, its steps wire.
        if (mod["default"] instanceof Pipeline) {
          const pipeline = yield* Effect.promise(() => loadPipeline(file))
          for (const preset of [undefined, ...Object.keys(pipeline.presets)]) {
            const plan = yield* makePlan(pipeline, { preset })
            expect(plan.cells.length).toBeGreaterThan(0)
          }
        }
      })
    )
  })

  it.live("names only pipeline files and presets that exist in its shell examples", () =>
    Effect.gen(function* () {
      const commands = shell.flatMap((b) => b.code.split("\n")).filter((l) => /samlab (run|list) \S+\.ts/.test(l))
      expect(commands.length).toBeGreaterThan(0)
      for (const line of commands) {
        const file = /(pipelines\/[\w-]+\.ts)/.exec(line)?.[1]
        expect(file, line).toBeDefined()
        const pipeline = yield* Effect.promise(() => loadPipeline(join(repo, file!)))
        const preset = /--preset (\S+)/.exec(line)?.[1]
        if (preset) expect(Object.keys(pipeline.presets), line).toContain(preset)
        const overrides = [...line.matchAll(/--set (\S+)/g)].map((m) => m[1]!.replace(/^'|'$/g, ""))
        yield* makePlan(pipeline, { preset, overrides })
      }
    })
  )

  it("names only npm scripts that exist", () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts)
    const used = shell.flatMap((b) => [...b.code.matchAll(/npm run (\S+)/g)].map((m) => m[1]!))
    for (const name of used) expect(scripts, `npm run ${name}`).toContain(name)
  })
})
