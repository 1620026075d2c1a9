import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { isolated } from "../../../packages/distributed/test/fixtures/services.js"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const bin = join(repo, "tools/cli/bin/samlab.mjs")
const toy = join(repo, "packages/pipeline/test/fixtures/toy-pipeline.ts")

const start = (
  args: string[],
  env: Record<string, string> = {}
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } => {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, SAMLAB_BACKEND: "cpu", SAMLAB_TOY_EPOCH_MS: "20", ...env } })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d) => (stdout += d))
  child.stderr!.on("data", (d) => (stderr += d))
  return { child, done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr }))) }
}
const samlab = (...args: string[]) => start(args).done

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A worker on its own schema and queue, stopped (SIGTERM) and dropped after the test. */
const withWorker = (epochMs = 20) => {
  const env = isolated()
  const services = ["--store", env.storeUrl, "--queue-name", env.queueName]
  const worker = start(["worker", ...services, "--lease-seconds", "10"], { SAMLAB_TOY_EPOCH_MS: String(epochMs) })
  cleanups.push(env.drop, async () => {
    if (worker.child.exitCode === null) worker.child.kill("SIGTERM")
    await worker.done
  })
  return { env, services, worker }
}

describe("samlab worker and samlab status (real Redis and PostgreSQL)", () => {
  it("a worker runs the cells of a queued run; status lists each cell done; SIGTERM stops the worker cleanly", async () => {
    const { services, worker } = withWorker()
    const run = await samlab("run", toy, "--executor", "queue", ...services, "--run", "cli-ok", "--set", "epochs=3")
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain("samlab: run cli-ok in postgres://root@127.0.0.1:5432/test")
    const status = await samlab("status", "cli-ok", ...services)
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout.trim().split("\n").sort()).toEqual(["done     method=sam,seed=0", "done     method=sgd,seed=0"])
    worker.child.kill("SIGTERM")
    const stopped = await worker.done
    expect(stopped.code, stopped.stderr).toBe(0)
    expect(stopped.stderr).toMatch(/samlab worker .+: pulling cells from redis:\/\/127\.0\.0\.1:6379/)
    expect(stopped.stderr).toContain("cell method=sgd,seed=0 of run cli-ok")
    expect(stopped.stderr).toContain("samlab worker: SIGTERM, finishing the current cell's epoch and stopping")
  }, 180_000)

  it("status shows a running cell with its worker and epoch while the run is under way", async () => {
    const { services, worker } = withWorker(300) // 60 epochs: 18 s of a running cell
    const run = start(["run", toy, "--executor", "queue", ...services, "--run", "cli-running", "--set", "epochs=60", "--set", 'methods=["sgd"]'])
    cleanups.push(async () => {
      if (run.child.exitCode === null) run.child.kill("SIGTERM")
      await run.done
    })
    let line = ""
    for (const until = Date.now() + 90_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
      const status = await samlab("status", "cli-running", ...services)
      line = status.stdout.trim()
      if (/epoch [1-9]/.test(line)) break
    }
    expect(line).toMatch(new RegExp(`^running {2}method=sgd,seed=0 on [^:]+:${worker.child.pid}, epoch \\d+$`))
  }, 180_000)

  it("a cell that fails: the run exits 1, status shows it failed with its error and exits 1", async () => {
    const { services } = withWorker()
    const run = await samlab(
      "run",
      toy,
      "--executor",
      "queue",
      ...services,
      "--run",
      "cli-fail",
      "--attempts",
      "1",
      "--set",
      "epochs=3",
      "--set",
      "failAt=1",
      "--set",
      'methods=["sgd"]'
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("diverged at epoch 1")
    const status = await samlab("status", "cli-fail", ...services)
    expect(status.code).toBe(1)
    expect(status.stdout).toMatch(/^failed {3}method=sgd,seed=0: .*diverged at epoch 1/m)
    expect(status.stderr).toContain("samlab status: 1 cell(s) of run cli-fail failed")
  }, 180_000)

  it("status of a run the store does not have, and a missing --store, are one-line errors", async () => {
    const env = isolated()
    cleanups.push(env.drop)
    const unknown = await samlab("status", "no-such-run", "--store", env.storeUrl)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^samlab status: no run "no-such-run" in postgres:\/\/root@127\.0\.0\.1:5432\/test\?schema=t_\w+\n$/)
    const noStore = await start(["worker"], { SAMLAB_STORE: "" }).done
    expect(noStore.code).toBe(1)
    expect(noStore.stderr).toContain("missing --store postgres://... (or SAMLAB_STORE)")
  }, 120_000)
})
