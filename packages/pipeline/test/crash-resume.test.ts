import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const script = fileURLToPath(new URL("./fixtures/run-toy.ts", import.meta.url))

const start = (
  out: string,
  args: string[] = [],
  epochMs = 0
): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } => {
  const child = spawn(process.execPath, ["--import", "tsx", script, out, ...args], { env: { ...process.env, SAMLAB_TOY_EPOCH_MS: String(epochMs) } })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d) => (stdout += d))
  child.stderr!.on("data", (d) => (stderr += d))
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  )
  return { child, done }
}

const waitFor = async (predicate: () => boolean, timeoutMs: number) => {
  const until = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > until) throw new Error("timed out waiting")
    await new Promise((r) => setTimeout(r, 20))
  }
}

const checkpointEpochs = (out: string): number[] => {
  const dir = join(out, "checkpoints")
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((k) => {
    const f = join(dir, k, "latest.json")
    return existsSync(f) ? [JSON.parse(readFileSync(f, "utf8")).json.epoch as number] : []
  })
}

describe("a pipeline killed midway", () => {
  it("resumes from its last checkpoint after SIGKILL and ends with the numbers of an uninterrupted run", async () => {
    const clean = mkdtempSync(join(tmpdir(), "samlab-clean-"))
    const reference = await start(clean, ["--set", "epochs=8"]).done
    expect(reference.code).toBe(0)

    const crashed = mkdtempSync(join(tmpdir(), "samlab-crash-"))
    const first = start(crashed, ["--set", "epochs=8"], 150)
    await waitFor(() => checkpointEpochs(crashed).some((e) => e >= 2), 60_000)
    first.child.kill("SIGKILL")
    const killed = await first.done
    expect(killed.signal).toBe("SIGKILL")
    expect(JSON.parse(readFileSync(join(crashed, "run.json"), "utf8")).state).toBe("running") // never marked complete
    expect(existsSync(join(crashed, "summary.json"))).toBe(false)

    const rerun = await start(crashed, ["--set", "epochs=8"]).done
    expect(rerun.code).toBe(0)
    expect(rerun.stderr).toMatch(/resumed at epoch [2-7]/)
    expect(JSON.parse(rerun.stdout)).toEqual(JSON.parse(reference.stdout))
    expect(JSON.parse(readFileSync(join(crashed, "run.json"), "utf8")).state).toBe("complete")
  }, 120_000)

  it("gives the same results when cells run in child processes", async () => {
    const inProcess = await start(mkdtempSync(join(tmpdir(), "samlab-inproc-")), ["--set", "seeds=[0,1]", "--set", 'methods=["sam"]']).done
    const children = await start(mkdtempSync(join(tmpdir(), "samlab-children-")), ["--children", "--set", "seeds=[0,1]", "--set", 'methods=["sam"]']).done
    expect(inProcess.code).toBe(0)
    expect(children.code).toBe(0)
    expect(children.stderr).toContain("via child-process executor")
    expect(children.stderr).toContain("[method=sam,seed=1]")
    expect(JSON.parse(children.stdout)).toEqual(JSON.parse(inProcess.stdout))
  }, 120_000)
})
