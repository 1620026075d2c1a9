import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { activeBackend, isSoftwareAdapter, probeBackends, swiftShaderIcd } from "../../src/index.js"
import { skipWithReason, webgpuUnavailable } from "./on-webgpu.js"

describe("software adapters are told from GPUs", () => {
  const adapter = (vendor: string, architecture: string, description: string, isFallbackAdapter?: boolean) => ({
    vendor,
    architecture,
    device: "",
    description,
    isFallbackAdapter
  })
  it("counts SwiftShader, llvmpipe, lavapipe and any fallback adapter as software", () => {
    expect(isSoftwareAdapter(adapter("google", "swiftshader", "SwiftShader driver 5.0.0"))).toBe(true)
    expect(isSoftwareAdapter(adapter("mesa", "", "llvmpipe (LLVM 15.0.6, 256 bits)"))).toBe(true)
    expect(isSoftwareAdapter(adapter("mesa", "", "lavapipe"))).toBe(true)
    expect(isSoftwareAdapter(adapter("nvidia", "hopper", "NVIDIA H200", true))).toBe(true)
  })
  it("counts a hardware adapter as a GPU", () => {
    expect(isSoftwareAdapter(adapter("nvidia", "hopper", "NVIDIA H200"))).toBe(false)
    expect(isSoftwareAdapter(adapter("amd", "rdna-3", "AMD Radeon RX 7900 XTX"))).toBe(false)
    expect(isSoftwareAdapter(adapter("apple", "metal-3", "Apple M2"))).toBe(false)
  })
})

const unavailable = await webgpuUnavailable()
if (unavailable !== undefined) skipWithReason(unavailable)

describe.skipIf(unavailable !== undefined)("webgpu on SwiftShader", () => {
  it("is taken when forced, with the adapter it runs on, and reads GPU tensors synchronously", () => {
    const info = activeBackend()!
    expect(info.name).toBe("webgpu")
    expect(info.adapter).toMatchObject({ architecture: "swiftshader", software: true })
    const product = tf.tidy(() =>
      tf.matMul(
        tf.tensor2d([
          [1, 2],
          [3, 4]
        ]),
        tf.tensor2d([[5], [6]])
      )
    )
    expect(Array.from(product.dataSync())).toEqual([17, 39]) // computed on the GPU, read back without the event loop
    product.dispose()
  })

  it("is never taken by auto on a software adapter, and says why", async () => {
    const rows = await probeBackends()
    expect(rows.map((r) => r.name)).toEqual(["tensorflow-gpu", "tensorflow", "webgpu", "native", "wasm", "cpu"])
    const webgpu = rows.find((r) => r.name === "webgpu")!
    expect(webgpu.available).toBe(false)
    expect(webgpu.reason).toMatch(/software renderer.*SAMLAB_BACKEND=webgpu forces it/)
    expect(webgpu.adapter).toMatchObject({ vendor: "google", architecture: "swiftshader" })
    expect(tf.getBackend()).toBe("webgpu") // probing restores the backend in use
  })
})

describe("a forced webgpu without a driver", () => {
  it("fails with a typed error that says what to install", () => {
    const src = fileURLToPath(new URL("../../src/index.ts", import.meta.url))
    const code = `import(${JSON.stringify(src)}).then((m) => m.selectBackend({ backend: "webgpu", log: () => {} })).then(() => console.log("selected"), (e) => console.log(JSON.stringify({ tag: e._tag, message: e.message })))`
    // a driver list naming no file: Vulkan finds no device (or, without a loader, the check before Dawn fails)
    const out = execFileSync(process.execPath, ["--import", "tsx", "-e", code], {
      encoding: "utf8",
      env: { ...process.env, VK_ICD_FILENAMES: `${swiftShaderIcd}.absent`, VK_DRIVER_FILES: `${swiftShaderIcd}.absent` },
      stdio: ["ignore", "pipe", "ignore"]
    })
    const err = JSON.parse(out.trim().split("\n").pop()!)
    expect(err.tag).toBe("BackendUnavailableError")
    expect(err.message).toMatch(/no WebGPU adapter|no Vulkan loader|webgpu \(Dawn for Node\)/)
    expect(err.message).toContain("npm install webgpu @tensorflow/tfjs-backend-webgpu")
    expect(err.message).toContain("libvulkan1")
  })
})
