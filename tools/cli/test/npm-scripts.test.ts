import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const scripts = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts

/** The CIFAR10_DIR a script hands to samlab, run from `cwd` (samlab replaced by a probe that prints it). */
const dataDirSeen = (script: string, cwd: string, env: Record<string, string> = {}): string => {
  const probe = script.replace(/samlab run .*$/, `"${process.execPath}" -e 'process.stdout.write(process.env.CIFAR10_DIR ?? "")'`)
  const { CIFAR10_DIR: _, ...rest } = process.env
  return execFileSync("sh", ["-c", probe], { cwd, env: { ...rest, ...env }, encoding: "utf8" })
}

describe("npm run quick / cpu find the data as the README says", () => {
  for (const name of ["quick", "cpu"]) {
    it(`${name}: the shared folder beside the clone only when it exists, else nothing (the cache, then the download)`, () => {
      const root = mkdtempSync(join(tmpdir(), "samlab-scripts-"))
      const clone = join(root, "clone")
      mkdirSync(clone)
      expect(dataDirSeen(scripts[name]!, clone)).toBe("") // a user's fresh clone: no ../shared
      mkdirSync(join(root, "shared/datasets/cifar-10-batches-bin"), { recursive: true })
      expect(dataDirSeen(scripts[name]!, clone)).toBe("../shared/datasets/cifar-10-batches-bin")
      expect(dataDirSeen(scripts[name]!, clone, { CIFAR10_DIR: "/data/mine" })).toBe("/data/mine")
    })
  }
})
