/**
 * WebGPU in Node through Dawn (the npm package `webgpu`, an optional dependency): installs
 * `navigator.gpu` and the WebGPU globals that `@tensorflow/tfjs-backend-webgpu` reads, and
 * tells a hardware adapter from a software one. In a browser `navigator.gpu` is already there.
 */
import { probeAdapterInChild } from "./quiet-probe.js"

/** What the adapter says it is (WebGPU's `GPUAdapterInfo`), and whether samlab counts it as a GPU. */
export interface GpuAdapterInfo {
  readonly vendor: string
  readonly architecture: string
  readonly device: string
  readonly description: string
  /** A software rasteriser or a CPU fallback (SwiftShader, llvmpipe, lavapipe, WARP). */
  readonly software: boolean
}

/** The part of WebGPU's `GPU` and `GPUAdapter` read here (no dependency on @webgpu/types). */
interface Gpu {
  requestAdapter(options?: {
    powerPreference?: "high-performance" | "low-power"
  }): Promise<{ readonly info: AdapterFields & { readonly isFallbackAdapter?: boolean } } | null>
}
interface AdapterFields {
  readonly vendor: string
  readonly architecture: string
  readonly device: string
  readonly description: string
}

interface DawnModule {
  create(flags: string[]): Gpu
  globals: Record<string, unknown>
}

/** What to install for webgpu in Node; named by every failure to load it. */
export const webgpuInstallHint =
  "the npm packages webgpu and @tensorflow/tfjs-backend-webgpu (npm install webgpu @tensorflow/tfjs-backend-webgpu), the Vulkan loader (Debian: libvulkan1) and the GPU's Vulkan driver (to test without a GPU: SwiftShader from Debian's chromium, VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)"

const softwareAdapter = /swiftshader|llvmpipe|lavapipe|softpipe|warp|basic render|cpu/i

/** SwiftShader and other CPU implementations: never picked by `auto`, only when forced. */
export const isSoftwareAdapter = (info: AdapterFields & { readonly isFallbackAdapter?: boolean | undefined }): boolean =>
  info.isFallbackAdapter === true || [info.vendor, info.architecture, info.device, info.description].some((s) => softwareAdapter.test(s))

let dawnTick: (() => void) | undefined

/**
 * Dawn's Node binding completes `mapAsync` from a native tick that it queues with
 * `setImmediate`. Keeping that tick lets `waitForMap` run it synchronously, which is
 * the only way to read a GPU buffer without returning to the event loop (tfjs's
 * `dataSync`). Installed once, before the first adapter is requested.
 */
const captureDawnTick = (): void => {
  const original = globalThis.setImmediate
  const patched = ((fn: (...args: unknown[]) => void, ...args: unknown[]) => {
    if (typeof fn === "function" && Function.prototype.toString.call(fn).includes("[native code]")) dawnTick = fn as () => void
    return original(fn, ...args)
  }) as typeof setImmediate
  Object.assign(patched, original)
  globalThis.setImmediate = patched
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** Runs Dawn's event processing until `done()` (a buffer map has settled); false if Dawn never queued its tick. */
export const pumpDawnUntil = (done: () => boolean): boolean => {
  for (let spins = 0; !done(); spins++) {
    if (dawnTick === undefined) return false
    dawnTick()
    if (spins > 64) Atomics.wait(sleeper, 0, 0, 0.05)
  }
  return true
}

// a variable specifier: the package is optional, and bundlers leave it (a native addon) outside
const dawnPackage: string = "webgpu"

let loaded: Promise<Gpu | string> | undefined

/** `navigator.gpu`: the browser's own, or Dawn's in Node; a string says why there is none. */
export const loadGpu = (): Promise<Gpu | string> => {
  loaded ??= (async () => {
    const nav = (globalThis as { navigator?: { gpu?: Gpu } }).navigator
    if (nav?.gpu) return nav.gpu
    let dawn: DawnModule
    try {
      dawn = (await import(dawnPackage)) as DawnModule
    } catch (e) {
      const msg = e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e)
      return /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(msg) && msg.includes("webgpu")
        ? "the npm package webgpu (Dawn for Node) is not installed"
        : `webgpu (Dawn for Node) failed to load: ${msg}`
    }
    captureDawnTick()
    for (const [k, v] of Object.entries(dawn.globals))
      if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true })
    // Node serves no cross-origin pages, so kernel timers (tf.profile, samlab bench --kernels) need
    // not be rounded to 100 µs as browsers round them against timing attacks
    const gpu = dawn.create(["disable-dawn-features=timestamp_quantization"])
    if (nav) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true })
    else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true })
    return gpu
  })()
  return loaded
}

let quiet: ReturnType<typeof probeAdapterInChild>

/** The adapter tfjs's webgpu backend will get (it asks for high performance), or why there is none. */
export const probeAdapter = async (): Promise<GpuAdapterInfo | string> => {
  // in Node, first in a child (Dawn's native stderr goes to a pipe there): no adapter, no Dawn here
  if (!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
    quiet ??= probeAdapterInChild() ?? { found: true }
    if (!quiet.found) return `no WebGPU adapter (${quiet.reason})`
  }
  const gpu = await loadGpu()
  if (typeof gpu === "string") return gpu
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" })
  if (adapter === null) return "no WebGPU adapter (no usable Vulkan driver)"
  const i = adapter.info
  const fields = { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description }
  return { ...fields, software: isSoftwareAdapter({ ...fields, isFallbackAdapter: i.isFallbackAdapter }) }
}
