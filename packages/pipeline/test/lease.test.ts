import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { type LeaseHolder, LeaseHeldError, acquireLease } from "../src/index.js"
import { currentHolder } from "../src/services/lease.js"

const leasePath = () => join(mkdtempSync(join(tmpdir(), "samlab-lease-")), "sub", ".lock")
const writeHolder = (path: string, holder: LeaseHolder, ageMs = 0) => {
  writeFileSync(path, JSON.stringify(holder))
  const t = new Date(Date.now() - ageMs)
  utimesSync(path, t, t)
}

describe("lease on a folder", () => {
  it("names its holder (pid, host, start) and lets only one taker in until released", async () => {
    const path = leasePath()
    const first = await acquireLease(path, "run A")
    const onFile = JSON.parse(readFileSync(path, "utf8")) as LeaseHolder
    expect(onFile).toMatchObject({ pid: process.pid, purpose: "run A" })
    expect(onFile.host.length).toBeGreaterThan(0)
    expect(Number.isNaN(Date.parse(onFile.startedAt))).toBe(false)
    const err = await acquireLease(path, "run B", { waitMs: 100, pollMs: 20 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LeaseHeldError)
    expect((err as Error).message).toContain(`run A by pid ${process.pid} on ${onFile.host}`)
    await first.release()
    expect(existsSync(path)).toBe(false)
    const second = await acquireLease(path, "run B", { waitMs: 100 })
    await second.release()
  })

  it("a waiter says who it waits for and gets the lease when the holder releases it", async () => {
    const path = leasePath()
    const first = await acquireLease(path, "run A")
    const waited: string[] = []
    const second = acquireLease(path, "run B", { pollMs: 20, onWait: (h) => waited.push(h.purpose) })
    await new Promise((r) => setTimeout(r, 150))
    expect(waited).toEqual(["run A"])
    await first.release()
    const lease = await second
    expect(JSON.parse(readFileSync(path, "utf8")).purpose).toBe("run B")
    await lease.release()
  })

  it("takes over the lease of a dead process in this namespace at once", async () => {
    const path = leasePath()
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!
    await acquireLease(path, "x").then((l) => l.release()) // creates the folder
    writeHolder(path, { ...currentHolder("a crashed run"), pid: dead })
    const stale: string[] = []
    const lease = await acquireLease(path, "run B", { waitMs: 0, onStale: (h, why) => stale.push(`${h.purpose}: ${why}`) })
    expect(stale).toEqual([`a crashed run: process ${dead} is gone`])
    await lease.release()
  })

  it("in another PID namespace, trusts a fresh heartbeat (never the PID) and takes over an old one", async () => {
    const path = leasePath()
    await acquireLease(path, "x").then((l) => l.release())
    // a PID that does not exist here, but from another container's namespace: alive as long as it beats
    const foreign: LeaseHolder = {
      ...currentHolder("a download in another container"),
      pid: spawnSync(process.execPath, ["-e", ""]).pid!,
      pidNamespace: "pid:[1]"
    }
    writeHolder(path, foreign, 1000)
    expect(await acquireLease(path, "mine", { waitMs: 100, pollMs: 20, staleMs: 60_000 }).catch((e: unknown) => e)).toBeInstanceOf(LeaseHeldError)
    writeHolder(path, foreign, 120_000)
    const lease = await acquireLease(path, "mine", { waitMs: 0, staleMs: 60_000 })
    expect(JSON.parse(readFileSync(path, "utf8")).purpose).toBe("mine")
    await lease.release()
  })

  it("the holder's heartbeat keeps the lease file fresh", async () => {
    const path = leasePath()
    const lease = await acquireLease(path, "run", { heartbeatMs: 20 })
    const old = new Date(Date.now() - 60_000)
    utimesSync(path, old, old)
    await new Promise((r) => setTimeout(r, 200))
    expect(Date.now() - (await import("node:fs")).statSync(path).mtimeMs).toBeLessThan(5000)
    await lease.release()
  })
})
