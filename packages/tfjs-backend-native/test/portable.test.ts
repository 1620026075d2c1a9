import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { nativeAvailable } from "./support.js"

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..")

/** Runs the kernel checks in a child process whose dispatch is capped by SAMLAB_NATIVE_SIMD. */
const runCapped = (simd: string) => {
  const tsx = createRequire(import.meta.url).resolve("tsx/cli")
  const out = execFileSync(process.execPath, [tsx, join("test", "fixtures", "portable-path.ts")], {
    cwd: packageDir,
    env: { ...process.env, SAMLAB_NATIVE_SIMD: simd },
    encoding: "utf8"
  })
  return JSON.parse(out.trim().split("\n").pop()!) as { simd: string; outputs: number; worstRelativeError: number }
}

describe.skipIf(!nativeAvailable)("the kernels below the CPU's widest SIMD", () => {
  it("portable (non-SIMD): what SAMLAB_NATIVE_SIMD=generic selects, and agree with cpu", () => {
    const result = runCapped("generic")
    expect(result.simd).toBe("generic")
    expect(result.outputs).toBe(13)
    expect(result.worstRelativeError).toBeLessThan(1e-3)
  }, 180_000) // a child process: slow on a loaded machine

  it("AVX2 (on a CPU that also has AVX-512): what SAMLAB_NATIVE_SIMD=avx2 selects, and agree with cpu", () => {
    const result = runCapped("avx2")
    expect(["avx2+fma", "generic"]).toContain(result.simd)
    expect(result.outputs).toBe(13)
    expect(result.worstRelativeError).toBeLessThan(1e-3)
  }, 180_000)
})
