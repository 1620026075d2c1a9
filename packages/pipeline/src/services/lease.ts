import { randomBytes } from "node:crypto"
import { readFileSync, readlinkSync } from "node:fs"
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises"
import { hostname } from "node:os"
import { dirname } from "node:path"
import { Data } from "effect"

/** Who holds a lease: enough to tell a live holder from a dead one, also across hosts and PID namespaces. */
export interface LeaseHolder {
  readonly pid: number
  readonly host: string
  /** The kernel's boot id: equal host names on different boots (or machines) are not the same host. */
  readonly bootId: string
  /** The PID namespace: a PID means something only inside its namespace (containers sharing a folder). */
  readonly pidNamespace: string
  readonly startedAt: string
  /** What the holder is doing, for the message a waiter prints. */
  readonly purpose: string
}

const readOr = (read: () => string, fallback: string) => {
  try {
    return read().trim()
  } catch {
    return fallback
  }
}

/** This process as a lease holder. */
export const currentHolder = (purpose: string): LeaseHolder => ({
  pid: process.pid,
  host: hostname(),
  bootId: readOr(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8"), ""),
  pidNamespace: readOr(() => readlinkSync("/proc/self/ns/pid"), ""),
  startedAt: new Date().toISOString(),
  purpose
})

export const describeHolder = (h: LeaseHolder): string => `${h.purpose} by pid ${h.pid} on ${h.host} since ${h.startedAt}`

export interface LeaseOptions {
  /** How often the holder refreshes the lease file's mtime (default 5 s). */
  readonly heartbeatMs?: number
  /**
   * A lease whose heartbeat is older than this is stale (default 2 minutes). Only way to judge
   * a holder in another PID namespace or on another host; on the same one, a dead PID is stale at once.
   */
  readonly staleMs?: number
  /** How often a waiter looks again (default 500 ms). */
  readonly pollMs?: number
  /** Give up waiting after this long with `LeaseHeldError` (default: wait as long as the holder lives). */
  readonly waitMs?: number
  /** Called once when the lease is held by someone else and this process starts waiting. */
  readonly onWait?: (holder: LeaseHolder) => void
  /** Called when a stale lease (dead holder) is taken over. */
  readonly onStale?: (holder: LeaseHolder, why: string) => void
}

export class LeaseHeldError extends Data.TaggedError("LeaseHeldError")<{ readonly path: string; readonly holder: LeaseHolder }> {
  override get message(): string {
    return `${this.path} is held: ${describeHolder(this.holder)}`
  }
}

export interface Lease {
  readonly path: string
  readonly holder: LeaseHolder
  /** Stops the heartbeat and removes the lease file (if it is still this holder's). */
  readonly release: () => Promise<void>
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM" // exists, owned by someone else
  }
}

/** Why the holder of a lease is dead, or undefined when it may be alive. */
export const staleReason = (holder: LeaseHolder, heartbeatAgeMs: number, staleMs: number): string | undefined => {
  const me = currentHolder("")
  const sameNamespace = holder.host === me.host && holder.bootId === me.bootId && holder.pidNamespace === me.pidNamespace
  if (sameNamespace && !isAlive(holder.pid)) return `process ${holder.pid} is gone`
  if (heartbeatAgeMs > staleMs) return `no heartbeat for ${Math.round(heartbeatAgeMs / 1000)} s`
  return undefined
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code

const readHolder = async (path: string): Promise<{ holder: LeaseHolder; ageMs: number; text: string } | undefined> => {
  try {
    const [text, st] = await Promise.all([readFile(path, "utf8"), stat(path)])
    const holder = JSON.parse(text) as LeaseHolder
    return { holder, ageMs: Date.now() - st.mtimeMs, text }
  } catch (e) {
    if (code(e) === "ENOENT") return undefined
    // a lease file being written right now, or garbage: judged by its age alone
    const st = await stat(path).catch(() => undefined)
    if (!st) return undefined
    const holder: LeaseHolder = {
      pid: -1,
      host: "?",
      bootId: "?",
      pidNamespace: "?",
      startedAt: new Date(st.mtimeMs).toISOString(),
      purpose: "an unreadable lease"
    }
    return { holder, ageMs: Date.now() - st.mtimeMs, text: "" }
  }
}

/**
 * Takes an exclusive lease on `path` (a file created with O_EXCL, so two takers never both
 * win), waiting while a live holder has it. A holder is dead when, in this PID namespace,
 * its process is gone, or (anywhere) its heartbeat, the file's mtime, is older than `staleMs`;
 * a dead holder's lease is taken over. The holder refreshes the heartbeat until `release`.
 */
export const acquireLease = async (path: string, purpose: string, options: LeaseOptions = {}): Promise<Lease> => {
  const heartbeatMs = options.heartbeatMs ?? 5000
  const staleMs = options.staleMs ?? 120_000
  const pollMs = options.pollMs ?? 500
  const startedWaiting = Date.now()
  const holder = currentHolder(purpose)
  const text = `${JSON.stringify(holder)}\n`
  await mkdir(dirname(path), { recursive: true })
  let waiting = false
  for (;;) {
    try {
      await writeFile(path, text, { flag: "wx" })
      break
    } catch (e) {
      if (code(e) !== "EEXIST") throw e
    }
    const current = await readHolder(path)
    if (!current) continue
    const why = staleReason(current.holder, current.ageMs, staleMs)
    if (why) {
      // move it aside first, then check it was the one judged (another waiter may have replaced it)
      const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`
      try {
        await rename(path, aside)
      } catch (e) {
        if (code(e) === "ENOENT") continue
        throw e
      }
      const moved = await readFile(aside, "utf8").catch(() => "")
      if (moved !== current.text && moved !== "") await rename(aside, path).catch(() => undefined)
      else options.onStale?.(current.holder, why)
      await rm(aside, { force: true })
      continue
    }
    if (options.waitMs !== undefined && Date.now() - startedWaiting >= options.waitMs) throw new LeaseHeldError({ path, holder: current.holder })
    if (!waiting) options.onWait?.(current.holder)
    waiting = true
    await new Promise((r) => setTimeout(r, pollMs))
  }
  const beat = setInterval(() => {
    const now = new Date()
    utimes(path, now, now).catch(() => undefined)
  }, heartbeatMs)
  beat.unref()
  return {
    path,
    holder,
    release: async () => {
      clearInterval(beat)
      const current = await readFile(path, "utf8").catch(() => undefined)
      if (current === text) await rm(path, { force: true })
    }
  }
}
