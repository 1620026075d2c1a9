import * as tf from "@tensorflow/tfjs-core"
import { type BackendCandidate, type BackendName, backendCandidates, backendNames, isBackendName } from "./candidates.js"
import { BackendUnavailableError } from "./errors.js"

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
}

export interface SelectBackendOptions {
  /** An explicit choice; `"auto"` or undefined reads `SAMLAB_BACKEND`, else takes the best present. */
  readonly backend?: BackendName | "auto" | undefined
  /** Where the one log line goes (default: stderr). Pass `() => {}` to silence it. */
  readonly log?: ((line: string) => void) | undefined
}

/** Node's process where there is one (this module also runs in browsers, which have none). */
const nodeProcess = (globalThis as { process?: NodeJS.Process }).process

const packageVersion = (packageName: string): string => {
  // No static `node:` import, so that bundles for the browser need no shim.
  const nodeModule = nodeProcess?.getBuiltinModule?.("node:module")
  if (!nodeModule) return "unknown"
  try {
    return (nodeModule.createRequire(import.meta.url)(`${packageName}/package.json`) as { version: string }).version
  } catch {
    return "unknown"
  }
}

/** Loads the package (which registers its backend), activates it and checks a matmul. */
const tryBackend = async (c: BackendCandidate): Promise<string | undefined> => {
  try {
    await import(c.packageName)
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e)
    return /Cannot find (module|package)|Could not resolve|ERR_MODULE_NOT_FOUND/.test(msg ?? "") && (msg ?? "").includes(c.packageName)
      ? `${c.packageName} is not installed`
      : `${c.packageName} failed to load: ${msg}`
  }
  try {
    if (tf.findBackendFactory(c.tfName) === null && tf.findBackend(c.tfName) === null) {
      return `${c.packageName} loaded but registered no "${c.tfName}" backend`
    }
    const ok = await tf.setBackend(c.tfName)
    if (!ok) return `${c.packageName}: backend "${c.tfName}" failed to initialise`
    await tf.ready()
    const value = withoutTfjsAdvice(() => tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()))
    if (value.length !== 4 || value.some((v) => v !== 3)) return `${c.packageName}: smoke matmul gave wrong values`
    return undefined
  } catch (e) {
    return `${c.packageName}: smoke op failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`
  }
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
    throw new BackendUnavailableError({
      backend: raw,
      packageName: "",
      reason: `unknown backend "${raw}"; expected one of auto, ${backendNames.join(", ")}`
    })
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
    const failure = await tryBackend(candidate)
    if (failure === undefined) {
      active = { ...candidate, version: packageVersion(candidate.packageName), skipped }
      const why = skipped.length ? `; skipped ${skipped.map((s) => `${s.name} (${s.reason})`).join(", ")}` : ""
      log(`samlab: backend ${active.name} (${active.packageName} ${active.version})${why}`)
      return active
    }
    skipped.push({ name, reason: failure })
  }
  const last = skipped[skipped.length - 1]!
  throw new BackendUnavailableError({
    backend: last.name,
    packageName: backendCandidates[last.name].packageName,
    reason: wanted === "auto" ? `no backend could be loaded: ${skipped.map((s) => s.reason).join("; ")}` : `${last.reason}; install it with: npm install ${backendCandidates[last.name].packageName}`
  })
}

/** Probes every backend without keeping any: what `samlab backends` shows. */
export const probeBackends = async (): Promise<ReadonlyArray<{ name: BackendName; packageName: string; available: boolean; reason?: string; version?: string }>> => {
  const previous = tf.getBackend()
  const rows = []
  for (const name of backendNames) {
    const c = backendCandidates[name]
    const failure = await tryBackend(c)
    rows.push(failure === undefined ? { name, packageName: c.packageName, available: true, version: packageVersion(c.packageName) } : { name, packageName: c.packageName, available: false, reason: failure })
  }
  if (previous) await tf.setBackend(previous)
  return rows
}
