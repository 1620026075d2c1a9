import type { Json } from "./config.js"
import type { Cell } from "./step.js"

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const hasPath = (config: unknown, path: readonly string[]): boolean => {
  let node: unknown = config
  for (const key of path) {
    if (!isObject(node) || !(key in node)) return false
    node = node[key]
  }
  return true
}

const setPath = (config: unknown, path: readonly string[], value: Json): unknown => {
  if (path.length === 0) return value
  const [head, ...rest] = path
  const obj = isObject(config) ? config : {}
  return { ...obj, [head!]: setPath(obj[head!], rest, value) }
}

/**
 * Matrix axes for a sweep over config fields, e.g. `{ "noise.rate": [0, 0.2, 0.4] }`;
 * throws naming a path the config does not have (makePlan reports it as a config error).
 */
export const sweepAxes = (config: unknown, sweep: Readonly<Record<string, ReadonlyArray<Json>>>): Record<string, ReadonlyArray<Json>> => {
  for (const [path, values] of Object.entries(sweep)) {
    if (!hasPath(config, path.split("."))) throw new Error(`sweep over "${path}": the config has no such field`)
    if (values.length === 0) throw new Error(`sweep over "${path}": no values`)
  }
  return { ...sweep }
}

/** The config as one cell sees it: each cell value named by a config path (a swept field) replaces that field. */
export const configForCell = <C>(config: C, cell: Cell): C => {
  let out: unknown = config
  for (const [name, value] of Object.entries(cell.values)) {
    const path = name.split(".")
    if (hasPath(config, path)) out = setPath(out, path, value)
  }
  return out as C
}
