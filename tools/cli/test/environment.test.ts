import { execFileSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { gitState, runEnvironment } from "../src/environment.js"

describe("run environment", () => {
  it("names the commit of the checkout holding the pipeline file, and whether it is dirty", () => {
    const repo = mkdtempSync(join(tmpdir(), "samlab-git-"))
    const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" }).trim()
    git("init", "-q")
    writeFileSync(join(repo, "p.ts"), "export default 1\n")
    git("add", "p.ts")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    const commit = git("rev-parse", "HEAD")
    expect(gitState(join(repo, "p.ts"))).toEqual({ commit, dirty: false })
    writeFileSync(join(repo, "p.ts"), "export default 2\n")
    expect(gitState(join(repo, "p.ts"))).toEqual({ commit, dirty: true })
    expect(gitState(join(mkdtempSync(join(tmpdir(), "samlab-nogit-")), "p.ts"))).toBeNull()
  })

  it("records the versions and the backend asked for", () => {
    const env = runEnvironment(join(tmpdir(), "p.ts"))
    expect(env.node).toBe(process.version)
    expect(env.tfjsCore).toBe(tf.version_core)
    expect(env.samlab).toMatch(/^\d+\.\d+\.\d+/)
    expect(env.backendRequested).toBe(process.env["SAMLAB_BACKEND"] ?? "auto")
  })
})
