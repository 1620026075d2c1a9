import * as tf from "@tensorflow/tfjs-core"
import { nodeModule, nodeProcess } from "./node-host.js"
import { type BackendCandidate, type BackendName, backendCandidates, backendNames, isBackendName } from "./candidates.js"
import { BackendUnavailableError } from "./errors.js"
import { missingTrainingKernels } from "./training-kernels.js"
import { type GpuAdapterInfo, probeAdapter, webgpuInstallHint } from "./webgpu/dawn.js"
import { registerChunkedAddN } from "./webgpu/add-n.js"
import { patchReadSync } from "./webgpu/sync-read.js"
import { vulkanLoaderPresent } from "./webgpu/vulkan.js"

export interface SkippedBackend {
  readonly name: BackendName
  readonly reason: string
}

/** What was picked, from which package at which version, and why the better ones were not. */
export interface BackendInfo {
  readonly name: BackendName
  readonly tfName: string
  readonly packageName: string
  readonly version: string
  readonly skipped: readonly SkippedBackend[]
  /** The GPU adapter, when the backend is webgpu. */
  readonly adapter?: GpuAdapterInfo
}

export interface SelectBackendOptions {
  /** An explicit choice; `"auto"` or undefined reads `SAMLAB_BACKEND`, else takes the best present. */
  readonly backend?: BackendName | "auto" | undefined
  /** Where the one log line goes (default: stderr). Pass `() => {}` to silence it. */
  readonly log?: ((line: string) => void) | undefined
}

const packageVersion = (packageName: string): string => {
  const moduleApi = nodeModule()
  if (!moduleApi) return "unknown"
  try {
    return (moduleApi.createRequire(import.meta.url)(`${packageName}/package.json`) as { version: string }).version
  } catch {
    return "unknown"
  }
}

/** How the chooser asks: `auto` passes over software GPUs and backends that cannot train; `forced` takes what loads. */
type Mode = "auto" | "forced"

type Tried = { readonly failure: string } | { readonly failure?: undefined; readonly adapter?: GpuAdapterInfo }

const firstLine = (e: unknown): string => (e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e))

/** Imports the package, which registers its backend; a backend that a bundle or the app registered already needs no import. */
const loadPackage = async (c: BackendCandidate): Promise<string | undefined> => {
  try {
    await import(c.packageName)
    return undefined
  } catch (e) {
    if (tf.findBackendFactory(c.tfName) !== null) return undefined
    const msg = firstLine(e)
    return /Cannot find (module|package)|Could not resolve|ERR_MODULE_NOT_FOUND/.test(msg) && msg.includes(c.packageName)
      ? `${c.packageName} is not installed`
      : `${c.packageName} failed to load: ${msg}`
  }
}

export const describeAdapter = (a: GpuAdapterInfo): string => [a.vendor, a.architecture, a.description || a.device].filter((s) => s !== "").join(" / ")

/** webgpu needs an adapter before tfjs's package is imported (it registers the backend only where `navigator.gpu` exists). */
const webgpuAdapter = async (mode: Mode): Promise<{ failure: string } | { adapter: GpuAdapterInfo }> => {
  if (!vulkanLoaderPresent()) return { failure: `no Vulkan loader (libvulkan.so.1); webgpu needs ${webgpuInstallHint}` }
  const adapter = await probeAdapter()
  if (typeof adapter === "string") return { failure: `${adapter}; webgpu needs ${webgpuInstallHint}` }
  if (mode === "auto" && adapter.software)
    return { failure: `adapter ${describeAdapter(adapter)} is a software renderer, not a GPU (auto takes only hardware; SAMLAB_BACKEND=webgpu forces it)` }
  return { adapter }
}

/** Loads the package, activates the backend and checks a matmul; in `auto`, also that it has every training kernel. */
const tryBackend = async (c: BackendCandidate, mode: Mode): Promise<Tried> => {
  let adapter: GpuAdapterInfo | undefined
  if (c.name === "webgpu") {
    const got = await webgpuAdapter(mode)
    if ("failure" in got) return got
    adapter = got.adapter
  }
  const loadFailure = await loadPackage(c)
  if (loadFailure !== undefined) return { failure: loadFailure }
  try {
    if (tf.findBackendFactory(c.tfName) === null && tf.findBackend(c.tfName) === null) {
      return { failure: `${c.packageName} loaded but registered no "${c.tfName}" backend` }
    }
    const ok = await tf.setBackend(c.tfName)
    if (!ok) return { failure: `${c.packageName}: backend "${c.tfName}" failed to initialise` }
    await tf.ready()
    if (c.name === "webgpu") {
      patchReadSync(tf.backend())
      registerChunkedAddN(tf.backend())
      // small CPU-resident inputs would otherwise run on tfjs's cpu kernels: every kernel of a step stays on the GPU
      tf.env().set("WEBGPU_CPU_FORWARD", false)
    }
    const value = withoutTfjsAdvice(() => tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()))
    if (value.length !== 4 || value.some((v) => v !== 3)) return { failure: `${c.packageName}: smoke matmul gave wrong values` }
  } catch (e) {
    return { failure: `${c.packageName}: smoke op failed: ${firstLine(e)}` }
  }
  const missing = mode === "auto" ? missingTrainingKernels(c.tfName) : []
  if (missing.length > 0) return { failure: `${c.packageName} lacks training kernels: ${missing.join(", ")}` }
  return adapter ? { adapter } : {}
}

/**
 * tfjs's cpu backend prints advice to install tfjs-node on its first tensor write; the
 * smoke op makes that write, and samlab's own log line already says what was picked.
 */
const withoutTfjsAdvice = <A>(f: () => A): A => {
  const prod = tf.env().getBool("PROD")
  tf.env().set("PROD", true)
  try {
    return f()
  } finally {
    tf.env().set("PROD", prod)
  }
}

let active: BackendInfo | undefined

/** The backend picked by an earlier `selectBackend` in this process, if any. */
export const activeBackend = (): BackendInfo | undefined => active

const requestedBackend = (requested: SelectBackendOptions["backend"]): BackendName | "auto" => {
  // "auto" defers to SAMLAB_BACKEND, so the environment can pin a backend under any config
  const raw = requested === undefined || requested === "auto" ? (nodeProcess?.env["SAMLAB_BACKEND"] ?? "auto") : requested
  if (raw === "auto" || raw === "") return "auto"
  if (!isBackendName(raw)) {
    throw new BackendUnavailableError(raw, "", `unknown backend "${raw}"; expected one of auto, ${backendNames.join(", ")}`)
  }
  return raw
}

/**
 * Picks the tfjs backend: the explicit one (failing with a `BackendUnavailableError`
 * that names the package to install), or else the first of `backendNames` that loads
 * and passes a smoke op. Logs what was picked once per process.
 */
export const selectBackend = async (options: SelectBackendOptions = {}): Promise<BackendInfo> => {
  const log = options.log ?? ((line: string) => (nodeProcess ? nodeProcess.stderr.write(`${line}\n`) : console.info(line)))
  const wanted = requestedBackend(options.backend)
  if (active && (wanted === "auto" || wanted === active.name)) return active
  const order: readonly BackendName[] = wanted === "auto" ? backendNames : [wanted]
  const skipped: SkippedBackend[] = []
  for (const name of order) {
    const candidate = backendCandidates[name]
    const tried = await tryBackend(candidate, wanted === "auto" ? "auto" : "forced")
    if (tried.failure === undefined) {
      active = { ...candidate, version: packageVersion(candidate.packageName), skipped, ...(tried.adapter ? { adapter: tried.adapter } : {}) }
      const on = tried.adapter ? ` on ${describeAdapter(tried.adapter)}` : ""
      const why = skipped.length ? `; skipped ${skipped.map((s) => `${s.name} (${s.reason})`).join(", ")}` : ""
      log(`samlab: backend ${active.name} (${active.packageName} ${active.version})${on}${why}`)
      return active
    }
    skipped.push({ name, reason: tried.failure })
  }
  const last = skipped[skipped.length - 1]!
  const packageName = backendCandidates[last.name].packageName
  throw new BackendUnavailableError(
    last.name,
    packageName,
    wanted === "auto"
      ? `no backend could be loaded: ${skipped.map((s) => s.reason).join("; ")}`
      : last.name === "webgpu"
        ? last.reason
        : `${last.reason}; install it with: npm install ${packageName}`
  )
}

export interface ProbedBackend {
  readonly name: BackendName
  readonly packageName: string
  readonly available: boolean
  /** Why `auto` would not take it. */
  readonly reason?: string
  readonly version?: string
  readonly adapter?: GpuAdapterInfo
}

/** Probes every backend as `auto` would, without keeping any: what `samlab backends` shows. */
export const probeBackends = async (): Promise<readonly ProbedBackend[]> => {
  const previous = tf.getBackend()
  const rows: ProbedBackend[] = []
  for (const name of backendNames) {
    const c = backendCandidates[name]
    const tried = await tryBackend(c, "auto")
    const adapter = c.name === "webgpu" && vulkanLoaderPresent() ? await probeAdapter().then((a) => (typeof a === "string" ? undefined : a)) : undefined
    const shown = adapter ? { adapter } : {}
    rows.push(
      tried.failure === undefined
        ? { name, packageName: c.packageName, available: true, version: packageVersion(c.packageName), ...shown }
        : { name, packageName: c.packageName, available: false, reason: tried.failure, ...shown }
    )
  }
  if (previous) await tf.setBackend(previous)
  return rows
}
