import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { register } from "node:module"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { type AnyPipeline, Pipeline } from "@samlab/pipeline"
import { Data } from "effect"
import { register as registerTsx } from "tsx/esm/api"

/** The pipeline file does not parse: where, and what the parser said. */
export class PipelineSyntaxError extends Data.TaggedError("PipelineSyntaxError")<{
  readonly file: string
  readonly line: number
  readonly column: number
  readonly reason: string
}> {
  override get message(): string {
    return `${this.file}:${this.line}:${this.column}: syntax error: ${this.reason}`
  }
}

/** The file loaded, but neither its default export nor an export named `pipeline` is a samlab pipeline. */
export class NotAPipelineError extends Data.TaggedError("NotAPipelineError")<{ readonly file: string; readonly found: string }> {
  override get message(): string {
    return `${this.file}: the default export is ${this.found}, not a samlab pipeline (export default makePipeline({ ... }) or an export named "pipeline")`
  }
}

/** The file (or a module it imports) could not be found, resolved or evaluated. */
export class PipelineImportError extends Data.TaggedError("PipelineImportError")<{ readonly file: string; readonly reason: string }> {
  override get message(): string {
    return `cannot load pipeline file ${this.file}: ${this.reason}`
  }
}

export type PipelineLoadError = PipelineSyntaxError | NotAPipelineError | PipelineImportError

/**
 * Imports a pipeline file (TypeScript or JavaScript, ESM) and takes its default (or `pipeline`)
 * export. A file outside any project that installs samlab (a copy of a pipeline in a scratch
 * folder) gets `@samlab/*`, `effect` and the other packages this command uses, and its
 * TypeScript is read as ESM unless its package.json says `"type": "commonjs"`.
 */
export const loadPipeline = async (file: string): Promise<AnyPipeline> => {
  const path = resolve(file)
  if (!existsSync(path)) throw new PipelineImportError({ file: path, reason: "no such file" })
  registerUserPipelineHooks()
  let mod: Record<string, unknown>
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>
  } catch (e) {
    throw syntaxError(e, path) ?? new PipelineImportError({ file: path, reason: e instanceof Error ? e.message : String(e) })
  }
  const candidate = mod["default"] ?? mod["pipeline"]
  if (candidate instanceof Pipeline) return candidate
  throw new NotAPipelineError({ file: path, found: describeValue(candidate) })
}

/** What a non-pipeline export is, in a few words: `the number 42`, `an object with keys a, b`. */
const describeValue = (value: unknown): string => {
  if (value === undefined) return 'missing (no default export and no export named "pipeline")'
  if (value === null) return "null"
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`
  if (typeof value !== "object") return `the ${typeof value} ${JSON.stringify(value) ?? String(value)}`.slice(0, 120)
  const name = value.constructor?.name
  // a Pipeline built by another installed copy of @samlab/pipeline is not this command's class
  if (name === "Pipeline") return "a Pipeline from another copy of @samlab/pipeline than this command's (install one version)"
  return name && name !== "Object" ? `an instance of ${name}` : `an object with keys ${Object.keys(value).slice(0, 8).join(", ") || "(none)"}`
}

/**
 * A parse failure. TypeScript goes through esbuild (in tsx), whose message locates it, in whichever
 * file of the import graph ("<file>:<line>:<col>: ERROR: <text>", column from 0; the structured
 * errors do not survive the loader thread). Node's parser, for plain JavaScript, says no file or
 * line, so the pipeline file itself is checked with `node --check` to find the place; a syntax error
 * in a JavaScript module it imports stays an import error with Node's message.
 */
const syntaxError = (e: unknown, path: string): PipelineSyntaxError | undefined => {
  if (!(e instanceof Error)) return undefined
  const esbuild = /^(?:file:\/\/)?(\/[^\n]*?):(\d+):(\d+): ERROR: (.*)$/m.exec(e.message)
  if (esbuild) return new PipelineSyntaxError({ file: esbuild[1]!, line: Number(esbuild[2]), column: Number(esbuild[3]) + 1, reason: esbuild[4]! })
  if (!(e instanceof SyntaxError)) return undefined
  const check = spawnSync(process.execPath, ["--input-type=module", "--check"], { input: readFileSync(path), encoding: "utf8" })
  const at = /^\[stdin\]:(\d+)\n.*\n( *)\^/m.exec(check.stderr)
  return check.status !== 0 && at ? new PipelineSyntaxError({ file: path, line: Number(at[1]), column: at[2]!.length + 1, reason: e.message }) : undefined
}

/**
 * Module hooks (Node's loader thread, so plain JavaScript source): a bare import that does not
 * resolve from a file outside node_modules is resolved from this command's own location; a
 * `.ts`/`.mts`/`.tsx` file outside node_modules is ESM unless its package.json says commonjs, and
 * so is a `.js` file with no package.json above it (Node would read both as CommonJS, and then
 * fail on its `import` with "Cannot require() ES Module ... in a cycle").
 */
const hooksSource = `
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
let fallbackParent
export function initialize(data) { fallbackParent = data.fallbackParent }
const isBare = (s) => !/^(\\.{1,2}\\/|\\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(s)
const outsideDependencies = (url) => url !== undefined && url.startsWith("file:") && !url.includes("/node_modules/")
// the nearest package.json's "type", "unspecified" without one, "none" when no package.json is above
const packageType = (path) => {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    try { return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).type ?? "unspecified" } catch {}
    if (dirname(dir) === dir) return "none"
  }
}
const isModule = (path) => /\\.(ts|mts|tsx)$/.test(path) ? packageType(path) !== "commonjs" : /\\.js$/.test(path) && packageType(path) === "none"
export async function resolve(specifier, context, nextResolve) {
  let resolved
  try {
    resolved = await nextResolve(specifier, context)
  } catch (e) {
    if (e?.code !== "ERR_MODULE_NOT_FOUND" || !isBare(specifier) || !outsideDependencies(context.parentURL)) throw e
    try { resolved = await nextResolve(specifier, { ...context, parentURL: fallbackParent }) } catch { throw e }
  }
  // tsx, when it ran first and took the file for CommonJS, marks its URL with a query: drop it
  const url = resolved.url.replace(/(%3F|\\?).*$/, "")
  if (outsideDependencies(url) && resolved.format !== "module" && isModule(fileURLToPath(url))) {
    return { ...resolved, url, format: "module" }
  }
  return resolved
}
`

let hooksRegistered = false
const registerUserPipelineHooks = () => {
  if (hooksRegistered) return
  hooksRegistered = true
  // Run from its TypeScript source this module is itself loaded through tsx; built, it registers tsx
  // (globally, not tsImport's namespace: a namespace would load a second @samlab/pipeline and tfjs),
  // before these hooks in both cases, so they run first and see tsx's answer (the order tested).
  if (!import.meta.url.endsWith(".ts")) registerTsx()
  register(`data:text/javascript,${encodeURIComponent(hooksSource)}`, { data: { fallbackParent: import.meta.url } })
}
