import { execFileSync, spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { probeAddon } from "../src/addon.js"
import { NativeAddonUnavailableError } from "../src/errors.js"

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..")

describe("when the addon is not built", () => {
  it("reports a missing addon with a typed error that says how to build it", () => {
    const status = probeAddon("/nonexistent/samlab_native.node")
    expect(status.ok).toBe(false)
    if (status.ok) return
    expect(status.error).toBeInstanceOf(NativeAddonUnavailableError)
    expect(status.error._tag).toBe("NativeAddonUnavailableError")
    expect(status.error.addonPath).toBe("/nonexistent/samlab_native.node")
    expect(status.error.message).toContain("does not exist")
    expect(status.error.message).toContain("npm rebuild @samlab/tfjs-backend-native")
    expect(status.error.message.split("\n")).toHaveLength(1)
  })

  it("refuses an out-of-range SAMLAB_NATIVE_THREADS, naming it, instead of ignoring or clamping it", () => {
    const saved = process.env["SAMLAB_NATIVE_THREADS"]
    try {
      for (const bad of ["0", "-1", "257", "1.5", "many"]) {
        process.env["SAMLAB_NATIVE_THREADS"] = bad
        const status = probeAddon("/nonexistent/samlab_native.node")
        expect(status.ok).toBe(false)
        if (!status.ok) expect(status.error.reason).toBe(`SAMLAB_NATIVE_THREADS must be an integer in [1, 256], got "${bad}"`)
      }
      process.env["SAMLAB_NATIVE_THREADS"] = "256"
      const fine = probeAddon("/nonexistent/samlab_native.node")
      expect(!fine.ok && fine.error.reason).toContain("does not exist") // the value passes; only the missing file is reported
    } finally {
      if (saved === undefined) delete process.env["SAMLAB_NATIVE_THREADS"]
      else process.env["SAMLAB_NATIVE_THREADS"] = saved
    }
  })

  it("reports a file that is not an addon as failing to load", () => {
    const dir = mkdtempSync(join(tmpdir(), "samlab-native-bogus-"))
    try {
      const bogus = join(dir, "samlab_native.node")
      writeFileSync(bogus, "not a shared object\n")
      const status = probeAddon(bogus)
      expect(status.ok).toBe(false)
      if (!status.ok) expect(status.error.reason).toContain(`${bogus} failed to load`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("makes the import throw, and core-tensor's chooser skip native with one line saying why", () => {
    const tsx = createRequire(import.meta.url).resolve("tsx/cli")
    const out = execFileSync(process.execPath, [tsx, join("test", "fixtures", "choose-without-addon.ts")], {
      cwd: packageDir,
      env: { ...process.env, SAMLAB_NATIVE_ADDON: "/nonexistent/samlab_native.node", SAMLAB_BACKEND: "" },
      encoding: "utf8"
    })
    const result = JSON.parse(out.trim().split("\n").pop()!) as {
      importError: { name: string; tag: string; message: string }
      picked: string
      skipped: Array<{ name: string; reason: string }>
    }
    expect(result.importError.tag).toBe("NativeAddonUnavailableError")
    expect(result.picked).not.toBe("native")
    const native = result.skipped.find((s) => s.name === "native")!
    expect(native.reason).toContain("failed to load: @samlab/tfjs-backend-native: the native addon is unavailable")
    expect(native.reason).not.toContain("\n")
  }, 180_000) // a child process that starts tsx and initialises the wasm backend: slow on a loaded machine
})

describe("the install script", () => {
  const runInstall = (env: Record<string, string>, binding: string): { status: number | null; stdout: string } => {
    const dir = mkdtempSync(join(tmpdir(), "samlab-native-install-"))
    try {
      mkdirSync(join(dir, "scripts"))
      copyFileSync(join(packageDir, "scripts", "install.cjs"), join(dir, "scripts", "install.cjs"))
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "install-probe", version: "0.0.0" }))
      writeFileSync(join(dir, "binding.gyp"), binding)
      writeFileSync(join(dir, "broken.cc"), "this is not C++\n")
      const r = spawnSync(process.execPath, [join(dir, "scripts", "install.cjs")], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" })
      return { status: r.status, stdout: r.stdout }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it("never fails the install when the build fails, and says why in one line", () => {
    const r = runInstall({}, JSON.stringify({ targets: [{ target_name: "samlab_native", sources: ["broken.cc"] }] }))
    expect(r.status).toBe(0)
    const lines = r.stdout.trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^@samlab\/tfjs-backend-native: not built: .*error.*; the native backend will be unavailable/)
  }, 180_000) // node-gyp configures and compiles: slow on a loaded machine

  it("can be told to skip the build", () => {
    const r = runInstall({ SAMLAB_NATIVE_SKIP_BUILD: "1" }, "{}")
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("build skipped (SAMLAB_NATIVE_SKIP_BUILD=1)")
  })
})
