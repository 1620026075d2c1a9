import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { nativeAvailable } from "./support.js"

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..")

describe.skipIf(!nativeAvailable)("the portable (non-SIMD) kernels", () => {
  it("are what SAMLAB_NATIVE_SIMD=generic selects, and agree with cpu", () => {
    const tsx = createRequire(import.meta.url).resolve("tsx/cli")
    const out = execFileSync(process.execPath, [tsx, join("test", "fixtures", "portable-path.ts")], {
      cwd: packageDir,
      env: { ...process.env, SAMLAB_NATIVE_SIMD: "generic" },
      encoding: "utf8"
    })
    const result = JSON.parse(out.trim().split("\n").pop()!) as { simd: string; outputs: number; worstRelativeError: number }
    expect(result.simd).toBe("generic")
    expect(result.outputs).toBe(13)
    expect(result.worstRelativeError).toBeLessThan(1e-3)
  }, 180_000) // a child process: slow on a loaded machine
})
