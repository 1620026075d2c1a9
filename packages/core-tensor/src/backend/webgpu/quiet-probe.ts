import { nodeModule, nodeProcess } from "../node-host.js"

/**
 * Whether Dawn finds an adapter, asked in a child process. Dawn and the Vulkan loader write their
 * warnings ("While initializing adapter (backend=BackendType::Vulkan) ... PhysicalDeviceVk.cpp",
 * "XDG_RUNTIME_DIR is invalid") natively to file descriptor 2, which nothing in JavaScript can
 * silence; in a child they land in a pipe. So `auto` on a machine without a usable GPU loads Dawn
 * in no process whose stderr the user reads, and keeps Dawn's first line as the reason.
 * Undefined outside Node or where the child cannot run (then the caller probes in-process).
 */
export type ProbeResult = { readonly found: true } | { readonly found: false; readonly reason: string }

/**
 * Where a process leaves its probe's result for its children (the child executor's cells inherit
 * the environment), so each skips the probe's second or so. Keyed by the Dawn module and the
 * Vulkan driver setting, so a child with a different one probes again.
 */
export const ADAPTER_PROBE_ENV = "SAMLAB_WEBGPU_PROBE"

interface ProbeRecord {
  readonly key: string
  readonly result: ProbeResult
}

const handedDown = (key: string): ProbeResult | undefined => {
  const text = nodeProcess?.env[ADAPTER_PROBE_ENV]
  if (!text) return undefined
  try {
    const record = JSON.parse(text) as Partial<ProbeRecord>
    const r = record.result
    if (record.key !== key || typeof r !== "object" || r === null) return undefined
    if (r.found === true) return { found: true }
    return r.found === false && typeof r.reason === "string" ? { found: false, reason: r.reason } : undefined
  } catch {
    return undefined
  }
}

export const probeAdapterInChild = (): ProbeResult | undefined => {
  const childProcess = nodeProcess?.getBuiltinModule?.("node:child_process") as typeof import("node:child_process") | undefined
  const moduleApi = nodeModule()
  if (!nodeProcess || !childProcess || !moduleApi) return undefined
  let dawnUrl: string
  try {
    dawnUrl = new URL(`file://${moduleApi.createRequire(import.meta.url).resolve("webgpu")}`).href
  } catch {
    return undefined // not installed: the in-process import says so
  }
  const key = `${dawnUrl} VK_ICD_FILENAMES=${nodeProcess.env["VK_ICD_FILENAMES"] ?? ""}`
  const inherited = handedDown(key)
  if (inherited) return inherited
  const script = [
    "const dawn = await import(process.argv[1])",
    "for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) globalThis[k] = v",
    'const adapter = await dawn.create([]).requestAdapter({ powerPreference: "high-performance" })',
    "process.stdout.write(JSON.stringify({ found: adapter !== null }))",
    "process.exit(0)"
  ].join("\n")
  const child = childProcess.spawnSync(nodeProcess.execPath, ["--input-type=module", "-e", script, dawnUrl], { encoding: "utf8", timeout: 60_000 })
  let found: boolean | undefined
  try {
    found = (JSON.parse(child.stdout) as { found?: unknown }).found === true
  } catch {
    return undefined
  }
  const result: ProbeResult = found ? { found: true } : { found: false, reason: dawnReason(child.stderr) }
  nodeProcess.env[ADAPTER_PROBE_ENV] = JSON.stringify({ key, result } satisfies ProbeRecord)
  return result
}

/** Dawn's own words for the failure: its first warning or error line, without the source location. */
const dawnReason = (stderr: string): string => {
  const line = stderr
    .split("\n")
    .map((l) => l.trim())
    .find((l) => /^(Warning|Error):/i.test(l) && !/XDG_RUNTIME_DIR/.test(l))
  return line ? `Dawn: ${line.replace(/^(Warning|Error):\s*/i, "")}` : "no usable Vulkan driver"
}
