import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { type AnyPipeline, Pipeline } from "@samlab/pipeline"

/** Imports a pipeline file (TypeScript or JavaScript) and takes its default (or `pipeline`) export. */
export const loadPipeline = async (file: string): Promise<AnyPipeline> => {
  const path = resolve(file)
  let mod: Record<string, unknown>
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>
  } catch (e) {
    throw new Error(`cannot load pipeline file ${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const candidate = mod["default"] ?? mod["pipeline"]
  if (!(candidate instanceof Pipeline)) throw new Error(`${path} has no pipeline as its default export (or an export named "pipeline")`)
  return candidate
}
