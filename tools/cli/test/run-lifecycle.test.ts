import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const bin = join(repo, "tools/cli/bin/samlab.mjs")
const toy = join(repo, "packages/pipeline/test/fixtures/toy-pipeline.ts")

const samlab = (args: string[], epochMs: number): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } => {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, SAMLAB_TOY_EPOCH_MS: String(epochMs) } })
  let stderr = ""
  child.stderr!.on("data", (d) => (stderr += d))
  child.stdout!.resume()
  return { child, done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr }))) }
}

const waitFor = async (predicate: () => boolean, timeoutMs: number) => {
  const until = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > until) throw new Error("timed out waiting")
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The last checkpointed epoch of every cell, as the checkpoint files say. */
const checkpoints = (out: string): string => {
  const dir = join(out, "checkpoints")
  if (!existsSync(dir)) return ""
  return readdirSync(dir)
    .flatMap((k) =>
      existsSync(join(dir, k, "latest.json"))
        ? [`${k}:${readFileSync(join(dir, k, "latest.json"), "utf8").length}:${JSON.parse(readFileSync(join(dir, k, "latest.json"), "utf8")).json.epoch}`]
        : []
    )
    .sort()
    .join(",")
}

/** Live (not zombie) processes whose command line names `out` and a `--cell`: the children of a run into `out`. */
const cellProcesses = (out: string): number[] =>
  readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
        return argv.includes(out) && argv.includes("--cell") && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"))
      } catch {
        return false // gone meanwhile
      }
    })
    .map(Number)

const runJson = (out: string) => JSON.parse(readFileSync(join(out, "run.json"), "utf8"))

describe("samlab run: one run per folder, stopped cleanly", () => {
  it("SIGTERM to a run with child processes stops the children and marks the run interrupted", async () => {
    const out = mkdtempSync(join(tmpdir(), "samlab-sigterm-"))
    const run = samlab(["run", toy, "--out", out, "--executor", "child", "--concurrency", "2", "--set", "epochs=200"], 100)
    await waitFor(() => checkpoints(out).split(",").filter(Boolean).length === 2, 90_000)
    expect(runJson(out)).toMatchObject({ state: "running", owner: { pid: run.child.pid } })
    run.child.kill("SIGTERM")
    const { code, stderr } = await run.done
    expect(code, stderr).toBe(143)
    expect(runJson(out).state).toBe("interrupted")
    expect(existsSync(join(out, ".samlab-lock"))).toBe(false)
    // the children are gone: no checkpoint moves any more
    const after = checkpoints(out)
    await new Promise((r) => setTimeout(r, 1500))
    expect(checkpoints(out)).toBe(after)
  }, 180_000)

  it("kill -9 of a run with child processes: the children notice their parent is gone and stop", async () => {
    const out = mkdtempSync(join(tmpdir(), "samlab-sigkill-"))
    const run = samlab(["run", toy, "--out", out, "--executor", "child", "--concurrency", "2", "--set", "epochs=200"], 100)
    await waitFor(() => checkpoints(out).split(",").filter(Boolean).length === 2, 90_000)
    expect(cellProcesses(out)).toHaveLength(2)
    run.child.kill("SIGKILL")
    expect((await run.done).code).toBe(null)
    // they check every second; a loaded machine gets some slack
    await waitFor(() => cellProcesses(out).length === 0, 20_000)
    const after = checkpoints(out)
    await new Promise((r) => setTimeout(r, 1500))
    expect(checkpoints(out)).toBe(after)
  }, 180_000)

  it("a second identical run into the same folder waits for the first, names it, then reuses its results", async () => {
    const out = mkdtempSync(join(tmpdir(), "samlab-lock-"))
    const first = samlab(["run", toy, "--out", out, "--set", "epochs=100"], 150)
    await waitFor(() => existsSync(join(out, ".samlab-lock")), 90_000)
    const second = samlab(["run", toy, "--out", out, "--set", "epochs=100"], 150)
    const [a, b] = await Promise.all([first.done, second.done])
    expect(a.code, a.stderr).toBe(0)
    expect(b.code, b.stderr).toBe(0)
    expect(b.stderr).toMatch(new RegExp(`is in use \\(samlab run toy by pid ${first.child.pid} on .+ since .+\\); waiting`))
    expect(b.stderr).toContain("2 cell(s) already stored")
    expect(runJson(out).state).toBe("complete")
  }, 180_000)
})
