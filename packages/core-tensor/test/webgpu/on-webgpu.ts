import * as tf from "@tensorflow/tfjs-core"
// the reference backend, registered beside webgpu
import "@tensorflow/tfjs-backend-cpu"
import { it } from "vitest"
import { selectBackend, useSwiftShader } from "../../src/index.js"

/**
 * Why the webgpu tests cannot run here (no SwiftShader, no Vulkan loader, no adapter), or
 * undefined once webgpu is selected on SwiftShader. SwiftShader is slow: keep shapes small.
 */
export const webgpuUnavailable = async (): Promise<string | undefined> => {
  const reason = useSwiftShader()
  if (reason !== undefined) return reason
  try {
    await selectBackend({ backend: "webgpu", log: () => {} })
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

/** Registers a visibly skipped test that names the reason. */
export const skipWithReason = (reason: string): void => {
  it.skip(`webgpu tests skipped: ${reason}`, () => {})
}

/** `f` run on `backend`; what it returns is read back to the host. */
export const hostOn = async (backend: "cpu" | "webgpu", f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> => {
  // a turn of the event loop: synchronous GPU reads hold it, and the test runner talks through it
  await new Promise((resolve) => setTimeout(resolve, 0))
  await tf.setBackend(backend)
  return tf.tidy(() => [f()].flat().map((t) => Float32Array.from(t.dataSync())))
}

/** Every value within 1e-4 of the cpu's, relative to the largest magnitude of that tensor (float32 sums differ in order). */
export const expectCloseToCpu = (got: readonly Float32Array[], cpu: readonly Float32Array[], label: string): void => {
  if (got.length !== cpu.length) throw new Error(`${label}: ${got.length} tensors where ${cpu.length} were expected`)
  for (const [k, want] of cpu.entries()) {
    const g = got[k]!
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(g[i]! - want[i]!) <= 1e-4 * Math.max(scale, 1e-3)))
        throw new Error(`${label}, tensor ${k}, index ${i}: webgpu ${g[i]} vs cpu ${want[i]} (scale ${scale})`)
    }
  }
}
