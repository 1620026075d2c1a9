import { ReportInputError } from "../errors.js"
import {
  type DecompositionGroupPoint,
  type DecompositionPoint,
  type GroupStat,
  type JsonValue,
  type MethodReport,
  type MethodSummary,
  type ReportEpoch,
  type ReportInput,
  type SweepPoint,
  summaryFields
} from "./types.js"

type Obj = Record<string, unknown>

const object = (v: unknown, path: string): Obj => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ReportInputError(path, `expected an object, got ${describe(v)}`)
  return v as Obj
}

const array = (v: unknown, path: string): unknown[] => {
  if (!Array.isArray(v)) throw new ReportInputError(path, `expected an array, got ${describe(v)}`)
  return v
}

const describe = (v: unknown): string =>
  v === undefined
    ? "nothing"
    : Array.isArray(v)
      ? "an array"
      : typeof v === "string"
        ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)
        : String(JSON.stringify(v))

const string = (v: unknown, path: string): string => {
  if (typeof v !== "string") throw new ReportInputError(path, `expected a string, got ${describe(v)}`)
  return v
}

/** A number; null (NaN written as JSON) reads as NaN. */
const number = (v: unknown, path: string): number => {
  if (v === null) return Number.NaN
  if (typeof v !== "number") throw new ReportInputError(path, `expected a number, got ${describe(v)}`)
  return v
}

const finite = (v: unknown, path: string): number => {
  const n = number(v, path)
  if (!Number.isFinite(n)) throw new ReportInputError(path, `expected a finite number, got ${describe(v)}`)
  return n
}

/** A fraction in [0, 1] (NaN allowed); a value like 45.3 is rejected as a likely percentage. */
const fraction = (v: unknown, path: string): number => {
  const n = number(v, path)
  if (Number.isFinite(n) && (n < 0 || n > 1 + 1e-9))
    throw new ReportInputError(path, `accuracies are fractions in [0, 1], got ${n}${n > 1 && n <= 100 ? " (a percentage?)" : ""}`)
  if (n === Infinity || n === -Infinity) throw new ReportInputError(path, `expected a fraction, got ${n}`)
  return n
}

const optional = <T>(o: Obj, key: string, path: string, read: (v: unknown, path: string) => T): { [k: string]: T } =>
  o[key] === undefined ? {} : { [key]: read(o[key], path ? `${path}.${key}` : key) }

const accuracyFields = new Set([
  "testAcc",
  "cleanTrainAcc",
  "noisyTrainAccNoisyLabel",
  "noisyTrainAccTrueLabel",
  "validationAcc",
  "trainAcc",
  "bestTestAcc",
  "finalTestAcc",
  "earlyStopTestAcc",
  "cleanTrainAccAtBest",
  "noisyTrainAccNoisyLabelAtBest"
])

const epochRow = (v: unknown, path: string): ReportEpoch => {
  const o = object(v, path)
  const out: Record<string, number> = { epoch: finite(o["epoch"], `${path}.epoch`), testAcc: fraction(o["testAcc"], `${path}.testAcc`) }
  for (const [k, x] of Object.entries(o)) {
    if (k === "epoch" || k === "testAcc" || x === undefined) continue
    // Extra numeric fields are kept (the tracker's records carry more); nested records (reweighting) too, unchecked.
    if (typeof x === "object" && x !== null) continue
    out[k] = accuracyFields.has(k) ? fraction(x, `${path}.${k}`) : number(x, `${path}.${k}`)
  }
  return out as unknown as ReportEpoch
}

const groupStat = (v: unknown, path: string): GroupStat => {
  const o = object(v, path)
  return {
    mean: number(o["mean"], `${path}.mean`),
    median: number(o["median"], `${path}.median`),
    q25: number(o["q25"], `${path}.q25`),
    q75: number(o["q75"], `${path}.q75`)
  }
}

const statNames = ["logitTermNorm", "gradNorm", "samGradNorm", "samFactor", "logitFactor", "jacobianFactor"] as const

const group = (v: unknown, path: string): DecompositionGroupPoint => {
  const o = object(v, path)
  const out: Record<string, unknown> = { count: finite(o["count"], `${path}.count`) }
  for (const s of statNames) out[s] = groupStat(o[s], `${path}.${s}`)
  return out as unknown as DecompositionGroupPoint
}

const decompositionPoint = (v: unknown, path: string): DecompositionPoint => {
  const o = object(v, path)
  return { epoch: finite(o["epoch"], `${path}.epoch`), clean: group(o["clean"], `${path}.clean`), noisy: group(o["noisy"], `${path}.noisy`) }
}

const summary = (v: unknown, path: string): MethodSummary => {
  const o = object(v, path)
  const out: Record<string, unknown> = {}
  for (const f of summaryFields) {
    const required = f === "bestTestAcc" || f === "bestEpoch" || f === "finalTestAcc"
    if (o[f] === undefined) {
      if (required) throw new ReportInputError(`${path}.${f}`, "is required")
      continue
    }
    out[f] = accuracyFields.has(f) ? fraction(o[f], `${path}.${f}`) : number(o[f], `${path}.${f}`)
  }
  out["seeds"] = array(o["seeds"], `${path}.seeds`).map((s, i) => {
    if (typeof s !== "number" || !Number.isInteger(s)) throw new ReportInputError(`${path}.seeds[${i}]`, `expected an integer seed, got ${describe(s)}`)
    return s
  })
  if (o["std"] !== undefined) {
    const std = object(o["std"], `${path}.std`)
    const checked: Record<string, number> = {}
    for (const [k, x] of Object.entries(std)) {
      if (!(summaryFields as readonly string[]).includes(k))
        throw new ReportInputError(`${path}.std.${k}`, `is not a summary field (${summaryFields.join(", ")})`)
      checked[k] = number(x, `${path}.std.${k}`)
    }
    out["std"] = checked
  }
  return out as unknown as MethodSummary
}

/** Per-epoch rows in increasing epoch order. */
const epochRows = (v: unknown, path: string): ReportEpoch[] => {
  const rows = array(v, path).map((e, i) => epochRow(e, `${path}[${i}]`))
  rows.forEach((e, i) => {
    if (i > 0 && !(e.epoch > rows[i - 1]!.epoch))
      throw new ReportInputError(`${path}[${i}].epoch`, `epochs must increase: ${e.epoch} after ${rows[i - 1]!.epoch}`)
  })
  return rows
}

const method = (v: unknown, path: string): MethodReport => {
  const o = object(v, path)
  const perEpoch = epochRows(o["perEpoch"], `${path}.perEpoch`)
  const decomposition =
    o["decomposition"] === undefined
      ? undefined
      : array(o["decomposition"], `${path}.decomposition`).map((d, i) => decompositionPoint(d, `${path}.decomposition[${i}]`))
  return {
    ...optional(o, "label", path, string),
    summary: summary(o["summary"], `${path}.summary`),
    perEpoch,
    ...optional(o, "perEpochMin", path, epochRows),
    ...optional(o, "perEpochMax", path, epochRows),
    ...(decomposition ? { decomposition } : {}),
    ...optional(o, "sweep", path, sweepPoint)
  }
}

const sweepPoint = (v: unknown, path: string): SweepPoint => {
  const o = object(v, path)
  return { method: string(o["method"], `${path}.method`), values: object(json(o["values"], `${path}.values`), `${path}.values`) as SweepPoint["values"] }
}

const json = (v: unknown, path: string): JsonValue => {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v
  if (typeof v === "number") return v
  if (Array.isArray(v)) return v.map((x, i) => json(x, `${path}[${i}]`))
  if (typeof v === "object") return Object.fromEntries(Object.entries(v as Obj).map(([k, x]) => [k, json(x, `${path}.${k}`)]))
  throw new ReportInputError(path, `is not JSON (${typeof v})`)
}

/**
 * Checks an untyped value (parsed JSON, or a `ReportInput` built in code) field by field and
 * returns a normalised `ReportInput`; throws `ReportInputError` naming the first bad field
 * (`methods.sam.perEpoch[3].testAcc`). JSON null reads as NaN where a number is expected.
 */
export const parseReportInput = (value: unknown): ReportInput => {
  const o = object(value, "(root)")
  const methodsIn = object(o["methods"], "methods")
  if (Object.keys(methodsIn).length === 0) throw new ReportInputError("methods", "needs at least one method")
  const methods = Object.fromEntries(Object.entries(methodsIn).map(([k, m]) => [k, method(m, `methods.${k}`)]))
  const config = json(o["config"] ?? {}, "config")
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw new ReportInputError("config", `expected an object, got ${describe(o["config"])}`)
  return {
    title: string(o["title"], "title"),
    ...optional(o, "subtitle", "", string),
    ...optional(o, "headline", "", string),
    ...optional(o, "createdAt", "", string),
    ...(o["notes"] === undefined ? {} : { notes: array(o["notes"], "notes").map((n, i) => string(n, `notes[${i}]`)) }),
    ...(o["warnings"] === undefined ? {} : { warnings: array(o["warnings"], "warnings").map((n, i) => string(n, `warnings[${i}]`)) }),
    config: config as { readonly [key: string]: JsonValue },
    methods
  }
}

/** The report input as JSON for machines (NaN becomes null), after validation. */
export const reportJson = (input: ReportInput): string => `${JSON.stringify(parseReportInput(input), null, 2)}\n`
