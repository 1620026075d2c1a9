import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const bin = join(repo, "tools/cli/bin/samlab.mjs")

// Dawn (the npm package webgpu) and a Vulkan loader are what make Dawn speak on stderr at all
const dawnInstalled = (() => {
  try {
    createRequire(join(repo, "packages/core-tensor/package.json")).resolve("webgpu")
    return true
  } catch {
    return false
  }
})()
const vulkanLoader = existsSync("/etc/ld.so.cache") && readFileSync("/etc/ld.so.cache").includes("libvulkan.so.1")

describe("Dawn's native stderr", () => {
  it.skipIf(!dawnInstalled || !vulkanLoader)(
    "probing webgpu as auto does leaks none of Dawn's or the Vulkan loader's lines; the reason stays in the backend line",
    async () => {
      const env = { ...process.env }
      delete env["SAMLAB_BACKEND"]
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [bin, "backends"], { cwd: repo, env })
        let stdout = ""
        let stderr = ""
        child.stdout.on("data", (d) => (stdout += d))
        child.stderr.on("data", (d) => (stderr += d))
        child.on("close", (code) => resolve({ code, stdout, stderr }))
      })
      expect(code, stderr).toBe(0)
      const webgpu = stdout.split("\n").find((l) => /^\S+\s+webgpu\s/.test(l))
      expect(webgpu).toBeDefined()
      // a machine with a GPU lists it; one without says why, in Dawn's words when Dawn gave any
      if (webgpu!.startsWith("no")) expect(webgpu).toMatch(/no WebGPU adapter \(.+\)/)
      for (const noise of ["While initializing adapter", "PhysicalDeviceVk.cpp", "XDG_RUNTIME_DIR", "BackendType::Vulkan"]) expect(stderr).not.toContain(noise)
    },
    120_000
  )
})
