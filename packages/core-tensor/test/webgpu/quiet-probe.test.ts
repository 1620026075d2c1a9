import { afterEach, describe, expect, it } from "vitest"
import { ADAPTER_PROBE_ENV, probeAdapterInChild } from "../../src/backend/webgpu/quiet-probe.js"

describe("the adapter probe is handed down to child processes", () => {
  const saved = process.env[ADAPTER_PROBE_ENV]
  afterEach(() => {
    if (saved === undefined) delete process.env[ADAPTER_PROBE_ENV]
    else process.env[ADAPTER_PROBE_ENV] = saved
  })

  it("leaves its result in the environment, and a process that inherits it does not probe again", () => {
    delete process.env[ADAPTER_PROBE_ENV]
    const probed = probeAdapterInChild()
    if (probed === undefined) return expect(process.env[ADAPTER_PROBE_ENV]).toBeUndefined() // no webgpu package: nothing to hand down
    const record = JSON.parse(process.env[ADAPTER_PROBE_ENV]!) as { key: string; result: unknown }
    expect(record.result).toEqual(probed)
    // a result no probe would give: returned only if the record is read instead of probing
    const planted = { found: false, reason: "planted by the parent" }
    process.env[ADAPTER_PROBE_ENV] = JSON.stringify({ key: record.key, result: planted })
    expect(probeAdapterInChild()).toEqual(planted)
  })

  it("probes again when the record is for another Dawn or Vulkan driver, or unreadable", () => {
    const planted = { found: false, reason: "planted by the parent" }
    for (const text of [JSON.stringify({ key: "another dawn", result: planted }), "{not json", JSON.stringify({ key: "k", result: { found: "yes" } })]) {
      process.env[ADAPTER_PROBE_ENV] = text
      const probed = probeAdapterInChild()
      if (probed === undefined) continue
      expect(probed).not.toEqual(planted)
    }
  })
})
