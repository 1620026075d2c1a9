import type { Json, JsonObject } from "./config.js"
import type { MatrixAxes, SweepAxes } from "./pipeline.js"
import type { CellValues } from "./step.js"

const isObject = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === "object" && v !== null && !Array.isArray(v)

const hasPath = (config: unknown, path: readonly string[]): boolean => {
  let node: unknown = config
  for (const key of path) {
    if (!isObject(node) || !(key in node)) return false
    node = node[key]
  }
  return true
}

const setPath = (config: Json, path: readonly string[], value: Json): Json => {
  const [head, ...rest] = path
  if (head === undefined) return value
  const obj: JsonObject = isObject(config) ? config : {}
  return { ...obj, [head]: setPath(obj[head] ?? null, rest, value) }
}

/**
 * Checks a sweep against the full encoded config and the matrix's own axes; throws naming a
 * path the config does not have, an empty one, or one that is also a matrix axis (makePlan
 * reports it as a config error).
 */
export const checkSweep = (encoded: JsonObject, sweep: SweepAxes, matrix: MatrixAxes): SweepAxes => {
  for (const [path, values] of Object.entries(sweep)) {
    if (!hasPath(encoded, path.split("."))) throw new Error(`sweep over "${path}": the config has no such field`)
    if (values.length === 0) throw new Error(`sweep over "${path}": no values`)
    if (path in matrix) throw new Error(`sweep over "${path}": also a matrix axis`)
  }
  return sweep
}

/** The encoded config as one cell sees it: the cell's value of each swept path replaces that field. */
export const sweptConfig = (encoded: JsonObject, sweep: SweepAxes, values: CellValues): Json => {
  let out: Json = encoded
  for (const path of Object.keys(sweep)) {
    const value = values[path]
    if (value !== undefined) out = setPath(out, path.split("."), value)
  }
  return out
}
