import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as tf from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-cpu"
import { describe, expect, it } from "vitest"

// This file imports core-tensor only inside the test, after registering a gradient of its own,
// as a user would (each test file runs in a fresh process, so nothing registered them before).
describe("tfjs-core gradients registered by importing core-tensor", () => {
  it("registers the missing ones and keeps a gradient registered before", async () => {
    await tf.setBackend("cpu")
    expect(tf.getGradient("Sum")).toBeUndefined() // tfjs-core's Node entry registers none
    const own: tf.GradConfig = { kernelName: tf.Square, inputsToSave: ["x"], gradFunc: (dy) => ({ x: () => tf.mul(dy as tf.Tensor, 7) }) }
    tf.registerGradient(own)

    const core = await import("@samlab/core-tensor")
    expect(tf.getGradient(tf.Square)).toBe(own)
    expect(tf.getGradient(tf.Sum)).toBeDefined()
    // d/dx sum(square(x)) through the user's Square gradient (7 dy) and tfjs's Sum gradient (dy = 1)
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2, 3]))
    expect(Array.from(g.dataSync())).toEqual([7, 7, 7])

    expect(core.registerMissingGradients()).toEqual([])
    expect(tf.getGradient(tf.Square)).toBe(own)
  })

  it("carries every gradient of the installed tfjs-core, generated from that version", async () => {
    const core = await import("@samlab/core-tensor")
    expect(core.gradientsTfjsCoreVersion).toBe(tf.version_core)
    // tfjs's own list: every config that register_all_gradients.js registers
    const registerAll = readFileSync(createRequire(import.meta.url).resolve("@tensorflow/tfjs-core/dist/register_all_gradients.js"), "utf8")
    const kernels = [...registerAll.matchAll(/from '\.\/gradients\/(\w+)_grad'/g)].map((m) => m[1]!)
    expect(kernels.length).toBeGreaterThan(90)
    const { gradConfigs } = await import("../../src/optim/gradients/tfjs-gradients.generated.js")
    expect(gradConfigs.length).toBe(kernels.length)
    for (const c of gradConfigs) expect(tf.getGradient(c.kernelName)).toBeDefined()
  })
})
