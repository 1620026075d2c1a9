import { meanOf } from "@samlab/analysis-decomposition"
import type { MethodKey } from "../schema.js"
import type { TrainResult } from "../train/result.js"

const summaryKeys = [
  "bestTestAcc",
  "bestEpoch",
  "finalTestAcc",
  "earlyStopTestAcc",
  "earlyStopEpoch",
  "cleanTrainAccAtBest",
  "noisyTrainAccAtBest",
  "wallSeconds"
] as const
type SummaryKey = (typeof summaryKeys)[number]

/** The accuracies whose spread over seeds is reported. */
export const spreadKeys = ["bestTestAcc", "finalTestAcc", "earlyStopTestAcc", "cleanTrainAccAtBest"] as const
export type SpreadKey = (typeof spreadKeys)[number]

/** Lowest, highest and sample standard deviation over seeds (std null with fewer than two values). */
export interface Spread {
  readonly min: number | null
  readonly max: number | null
  readonly std: number | null
}

/** One method's numbers: means over seeds, with the per-seed values and their spread beside them. */
export type MethodSummary = { readonly [K in SummaryKey]: number | null } & {
  readonly seeds: readonly number[]
  /** Epochs each run trained (the longest, if they differ). */
  readonly epochs: number
  readonly perSeed: { readonly [K in SummaryKey]: ReadonlyArray<number | null> }
  readonly spread: { readonly [K in SpreadKey]: Spread }
  /** E.g. a best epoch in the last 10% of the epochs: the peak may lie beyond the run. */
  readonly warnings: readonly string[]
}

/** `summary.json`: `{ methods: { [method]: MethodSummary }, warnings }`, methods in the order they ran. */
export interface RunSummaryFile {
  readonly methods: Readonly<Record<string, MethodSummary>>
  /** Every method's warnings, each prefixed with the method. */
  readonly warnings: readonly string[]
}

const valueOf = (r: TrainResult, key: SummaryKey): number | null => (key === "wallSeconds" ? r.wallSeconds : r.summary[key])

const finiteValues = (values: ReadonlyArray<number | null>): number[] => values.filter((v): v is number => v !== null && Number.isFinite(v))

/** Sample standard deviation; null with fewer than two values. */
export const sampleStd = (values: ReadonlyArray<number | null>): number | null => {
  const v = finiteValues(values)
  if (v.length < 2) return null
  const m = v.reduce((a, b) => a + b, 0) / v.length
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1))
}

const spreadOf = (values: ReadonlyArray<number | null>): Spread => {
  const v = finiteValues(values)
  return { min: v.length === 0 ? null : Math.min(...v), max: v.length === 0 ? null : Math.max(...v), std: sampleStd(v) }
}

/** The share of the last epochs in which a best epoch means the run may have stopped before its peak. */
export const lateEpochShare = 0.1

/** True when `bestEpoch` (1-based) falls in the last 10% of `epochs`: accuracy was still rising, or about to peak. */
export const mayNotHavePeaked = (bestEpoch: number, epochs: number): boolean => epochs > 0 && bestEpoch > (1 - lateEpochShare) * epochs

const peakWarnings = (runs: readonly TrainResult[], epochs: number): string[] => {
  const late = runs.filter((r) => mayNotHavePeaked(r.summary.bestEpoch, epochs))
  if (late.length === 0) return []
  const which = late.map((r) => `epoch ${r.summary.bestEpoch} (seed ${r.seed})`).join(", ")
  return [`may not have peaked: run longer (best ${which} of ${epochs}, in the last ${100 * lateEpochShare}% of the epochs)`]
}

/** A run with the matrix values of its cell (method, seed, swept fields). */
export interface CellResult {
  readonly values: Readonly<Record<string, unknown>>
  readonly result: TrainResult
}

/** The cell's swept fields and their values (empty without a sweep). */
export const sweptValues = (c: CellResult): Array<[string, unknown]> => Object.entries(c.values).filter(([k]) => k !== "seed" && k !== "method")

/** The group a run is averaged in: its method, plus the swept fields' values when there is a sweep. */
export const groupKey = (c: CellResult): string =>
  [c.result.method, ...sweptValues(c).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)].join(" ")

/** Groups training results by method (and swept values) and averages each number over seeds. */
export const summarizeResults = (cells: readonly CellResult[]): RunSummaryFile => {
  const byMethod = new Map<string, TrainResult[]>()
  for (const c of cells) {
    const key = groupKey(c)
    byMethod.set(key, [...(byMethod.get(key) ?? []), c.result])
  }
  const methods: Record<string, MethodSummary> = {}
  for (const [method, runs] of byMethod) {
    const sorted = [...runs].sort((a, b) => a.seed - b.seed)
    const perSeed = Object.fromEntries(summaryKeys.map((k) => [k, sorted.map((r) => valueOf(r, k))])) as unknown as MethodSummary["perSeed"]
    const means = Object.fromEntries(summaryKeys.map((k) => [k, meanOf(perSeed[k])])) as { [K in SummaryKey]: number | null }
    const spread = Object.fromEntries(spreadKeys.map((k) => [k, spreadOf(perSeed[k])])) as unknown as MethodSummary["spread"]
    const epochs = Math.max(0, ...sorted.map((r) => r.history.length))
    methods[method] = { ...means, seeds: sorted.map((r) => r.seed), epochs, perSeed, spread, warnings: peakWarnings(sorted, epochs) }
  }
  return { methods, warnings: Object.entries(methods).flatMap(([m, s]) => s.warnings.map((w) => `${m} ${w}`)) }
}

/** Per-epoch rows of every run, for `metrics.jsonl` and `metrics.csv`: method, seed, backend and any swept field's value (e.g. `"noise.rate": 0.4`), then the epoch's metrics. */
export const metricRows = (cells: readonly CellResult[]): Array<Readonly<Record<string, unknown>>> =>
  cells.flatMap((c) => {
    const labels = { method: c.result.method, seed: c.result.seed, backend: c.result.backend, ...Object.fromEntries(sweptValues(c)) }
    return c.result.history.map((row) => ({ ...labels, ...row }))
  })

/** The method every other one is compared with: `erm`, the base optimizer alone. */
export const baselineMethod = "erm" satisfies MethodKey

/**
 * How much of SAM's best-accuracy gain over the base optimizer alone another method recovers:
 * (acc(method) - acc(erm)) / (acc(sam) - acc(erm)); null without a positive gap.
 */
export const gapRecovered = (summary: RunSummaryFile, method: string, key: "bestTestAcc" | "finalTestAcc" = "bestTestAcc"): number | null => {
  const base = summary.methods[baselineMethod]?.[key]
  const sam = summary.methods["sam"]?.[key]
  const other = summary.methods[method]?.[key]
  if (base == null || sam == null || other == null || sam - base <= 0) return null
  return (other - base) / (sam - base)
}

const pct = (v: number | null): string => (v === null ? "-" : (100 * v).toFixed(1))

/**
 * One line per method for a terminal: best and final test accuracy (mean over seeds, with the
 * lowest and highest seed), the best epoch of how many, and a warning where the peak may lie
 * beyond the run.
 */
export const summaryLines = (summary: RunSummaryFile): string[] =>
  Object.entries(summary.methods).map(([m, s]) => {
    const range = (k: SpreadKey) => (s.seeds.length > 1 ? ` [${pct(s.spread[k].min)}, ${pct(s.spread[k].max)}]` : "")
    const epoch = s.bestEpoch === null ? "-" : Number.isInteger(s.bestEpoch) ? String(s.bestEpoch) : s.bestEpoch.toFixed(1)
    return `${m}: best ${pct(s.bestTestAcc)}%${range("bestTestAcc")} at epoch ${epoch} of ${s.epochs}, final ${pct(s.finalTestAcc)}%${range("finalTestAcc")} (${s.seeds.length} seed${s.seeds.length === 1 ? "" : "s"})${s.warnings.map((w) => `; WARNING ${w}`).join("")}`
  })
