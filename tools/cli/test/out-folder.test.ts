import { execFileSync, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { prepareOutFolder } from "../src/out-folder.js"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const bin = join(repo, "tools/cli/bin/samlab.mjs")
const toy = join(repo, "packages/pipeline/test/fixtures/toy-pipeline.ts")

/** A read-only bind mount of an empty folder, where this machine lets us mount (tests run as root); else undefined. */
const readOnlyMount = (): string | undefined => {
  const base = mkdtempSync(join(tmpdir(), "samlab-ro-"))
  const [source, target] = [join(base, "source"), join(base, "target")]
  mkdirSync(source)
  mkdirSync(target)
  try {
    execFileSync("mount", ["--bind", source, target], { stdio: "ignore" })
    execFileSync("mount", ["-o", "remount,bind,ro", target], { stdio: "ignore" })
    return target
  } catch {
    return undefined
  }
}
const readOnly = readOnlyMount()
afterAll(() => {
  if (readOnly) execFileSync("umount", [readOnly])
})

describe("the run folder (--out)", () => {
  it("under a regular file: names that file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "samlab-out-")), "a-file")
    writeFileSync(file, "")
    await expect(prepareOutFolder(join(file, "run", "x"))).rejects.toThrow(
      `cannot write the run folder ${join(file, "run", "x")}: ${file} is a file, not a folder (ENOTDIR)`
    )
  })

  it.skipIf(readOnly === undefined)("under or at a read-only mount: says so, naming the folder, rather than ENOENT", async () => {
    await expect(prepareOutFolder(join(readOnly!, "runs", "quick"))).rejects.toThrow(
      `cannot write the run folder ${join(readOnly!, "runs", "quick")}: ${readOnly} is on a read-only file system (EROFS)`
    )
    await expect(prepareOutFolder(readOnly!)).rejects.toThrow(`cannot write the run folder ${readOnly}: it is on a read-only file system (EROFS)`)
  })

  it("a writable one is created with its parents", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "samlab-out-")), "a", "b")
    await prepareOutFolder(out)
    await prepareOutFolder(out) // and an existing one is fine
    rmSync(out, { recursive: true })
  })

  it("samlab run reports it on one line, exit 1, before loading any data", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "samlab-out-")), "a-file")
    writeFileSync(file, "")
    const out = readOnly ? join(readOnly, "run") : join(file, "run")
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, "run", toy, "--out", out], { cwd: repo })
      let stderr = ""
      child.stderr.on("data", (d) => (stderr += d))
      child.on("close", (code) => resolve({ code, stderr }))
    })
    expect(code).toBe(1)
    expect(stderr).toMatch(new RegExp(`^samlab run: cannot write the run folder ${out}: .*(EROFS|ENOTDIR)\\)\\n$`))
    expect(stderr).not.toContain("ENOENT")
  }, 120_000)
})
