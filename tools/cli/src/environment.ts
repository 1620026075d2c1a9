import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { arch, cpus, platform } from "node:os"
import { dirname } from "node:path"
import * as tf from "@tensorflow/tfjs-core"

const cliVersion = (): string => (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version

/** The commit of the git checkout holding `file`, and whether it has uncommitted changes; null outside git. */
export const gitState = (file: string): { readonly commit: string; readonly dirty: boolean } | null => {
  const git = (...args: string[]) => execFileSync("git", ["-C", dirname(file), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
  try {
    return { commit: git("rev-parse", "HEAD"), dirty: git("status", "--porcelain").length > 0 }
  } catch {
    return null
  }
}

/**
 * What a run ran on, for `environment.json`: samlab, tfjs and Node versions, the machine, the
 * backend asked for (each run's actual backend is in its metrics rows) and the pipeline file's
 * git commit when it lives in a checkout.
 */
export const runEnvironment = (pipelineFile: string) => ({
  samlab: cliVersion(),
  tfjsCore: tf.version_core,
  node: process.version,
  platform: `${platform()} ${arch()}`,
  cpus: cpus().length,
  backendRequested: process.env["SAMLAB_BACKEND"] ?? "auto",
  git: gitState(pipelineFile)
})
