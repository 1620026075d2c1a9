import * as tf from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-cpu"
import type { KernelFunc, TensorInfo } from "@tensorflow/tfjs-core"
import type { NativeAddon } from "./addon.js"
import { NativeKernelError } from "./errors.js"
import { NativeBackend } from "./backend.js"
import { batchNormGradients, biasReluGradients, nativeKernels } from "./kernels/index.js"
import type { NativeKernelArgs } from "./kernels/spec.js"

/** The name tfjs knows the backend by: `tf.setBackend("native")`. */
export const nativeBackendName = "native"

/** Above the cpu (1) and wasm (2) backends, below tfjs-node (3). */
const priority = 2.5

/** Kernels named in SAMLAB_NATIVE_DISABLE (comma-separated) stay on the cpu implementation, for A/B checks. */
const disabledKernels = (): ReadonlySet<string> =>
  new Set(
    (process.env["SAMLAB_NATIVE_DISABLE"] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
  )

/**
 * Registers the "native" backend: a copy of every kernel registered for "cpu", then the
 * native kernels over them, each falling back to its cpu twin when it declines a call.
 * Idempotent (a second call, e.g. from the other module format, changes nothing).
 */
export const registerNativeBackend = (addon: NativeAddon): void => {
  if (tf.findBackendFactory(nativeBackendName) !== null) return
  for (const k of tf.getKernelsForBackend("cpu")) {
    if (tf.getKernel(k.kernelName, nativeBackendName) === undefined) tf.registerKernel({ ...k, backendName: nativeBackendName })
  }
  const disabled = disabledKernels()
  for (const spec of nativeKernels) {
    if (disabled.has(spec.kernelName)) continue
    const cpu = tf.getKernel(spec.kernelName, "cpu")?.kernelFunc
    if (cpu === undefined && spec.own !== true) continue
    const kernelFunc: KernelFunc = (args) => {
      const result = spec.run(args as unknown as NativeKernelArgs, addon)
      count(result === undefined ? stats.fallback : stats.native, spec.kernelName)
      if (result !== undefined) return result
      if (cpu === undefined) throw new NativeKernelError(spec.kernelName, "declined a call and has no cpu twin")
      return cpu(args) as TensorInfo | TensorInfo[]
    }
    if (cpu !== undefined) tf.unregisterKernel(spec.kernelName, nativeBackendName)
    tf.registerKernel({ kernelName: spec.kernelName, backendName: nativeBackendName, kernelFunc })
  }
  // Gradients are global (by kernel name); those of this backend's own kernels, once.
  for (const g of [...batchNormGradients, ...biasReluGradients]) if (tf.getGradient(g.kernelName) === undefined) tf.registerGradient(g)
  tf.registerBackend(nativeBackendName, () => new NativeBackend(addon), priority)
}

/** Calls per kernel name since start-up: run natively, or handed to the cpu kernel (declined). */
export interface NativeKernelStats {
  readonly native: Readonly<Record<string, number>>
  readonly fallback: Readonly<Record<string, number>>
}

const stats = { native: {} as Record<string, number>, fallback: {} as Record<string, number> }
const count = (table: Record<string, number>, name: string): void => {
  table[name] = (table[name] ?? 0) + 1
}

/** A copy of the call counters: which calls ran in the addon and which fell back to the cpu kernel. */
export const nativeKernelStats = (): NativeKernelStats => ({ native: { ...stats.native }, fallback: { ...stats.fallback } })

/** Names of the kernels that run natively (the rest are the cpu backend's). */
export const nativeKernelNames = (): readonly string[] => {
  const disabled = disabledKernels()
  return nativeKernels.map((k) => k.kernelName).filter((n) => !disabled.has(n))
}
