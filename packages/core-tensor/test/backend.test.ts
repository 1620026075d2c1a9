import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { BackendUnavailableError, probeBackends, selectBackend } from "../src/index.js"

describe("backend selection", () => {
  it("picks cpu explicitly and logs it once", async () => {
    const lines: string[] = []
    const info = await selectBackend({ backend: "cpu", log: (l) => lines.push(l) })
    expect(info.name).toBe("cpu")
    expect(tf.getBackend()).toBe("cpu")
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/)
    await selectBackend({ backend: "cpu", log: (l) => lines.push(l) })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain("backend cpu (@tensorflow/tfjs-backend-cpu")
  })

  it("fails on an absent backend with an error naming the package to install", async () => {
    const err = await selectBackend({ backend: "tensorflow-gpu", log: () => {} }).catch((e) => e)
    expect(err).toBeInstanceOf(BackendUnavailableError)
    expect(err.packageName).toBe("@tensorflow/tfjs-node-gpu")
    expect(err.message).toContain("npm install @tensorflow/tfjs-node-gpu")
  })

  it("rejects an unknown backend name", async () => {
    const err = await selectBackend({ backend: "tpu" as never, log: () => {} }).catch((e) => e)
    expect(err).toBeInstanceOf(BackendUnavailableError)
    expect(err.reason).toContain("unknown backend")
  })

  it("probes every backend and reports the absent ones without throwing", async () => {
    const rows = await probeBackends()
    expect(rows.map((r) => r.name)).toEqual(["tensorflow-gpu", "tensorflow", "webgpu", "native", "wasm", "cpu"])
    expect(rows.find((r) => r.name === "cpu")?.available).toBe(true)
    const gpu = rows.find((r) => r.name === "tensorflow-gpu")!
    if (!gpu.available) expect(gpu.reason).toContain("@tensorflow/tfjs-node-gpu")
  })
})

describe("SAMLAB_BACKEND", () => {
  it("pins the backend when the caller asks for auto", async () => {
    const before = process.env["SAMLAB_BACKEND"]
    process.env["SAMLAB_BACKEND"] = "cpu"
    try {
      expect((await selectBackend({ backend: "auto", log: () => {} })).name).toBe("cpu")
      process.env["SAMLAB_BACKEND"] = "nonsense"
      await expect(selectBackend({ log: () => {} })).rejects.toThrow(/unknown backend "nonsense"/)
    } finally {
      if (before === undefined) delete process.env["SAMLAB_BACKEND"]
      else process.env["SAMLAB_BACKEND"] = before
    }
  })
})
