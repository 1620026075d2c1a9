import type { TrainResult } from "../steps/train-result.js"

const summaryKeys = ["bestTestAcc", "bestEpoch", "finalTestAcc", "earlyStopTestAcc", "earlyStopEpoch", "cleanTrainAccAtBest", "noisyTrainAccAtBest", "wallSeconds"] as const
type SummaryKey = (typeof summaryKeys)[number]

/** One method's numbers: means over seeds, with the per-seed values beside them. */
export type MethodSummary = { readonly [K in SummaryKey]: number | null } & {
  readonly seeds: readonly number[]
  readonly perSeed: { readonly [K in SummaryKey]: ReadonlyArray<number | null> }
}

/** `summary.json`: `{ methods: { [method]: MethodSummary } }`, methods in the order they ran. */
export interface RunSummaryFile {
  readonly methods: Readonly<Record<string, MethodSummary>>
}

const valueOf = (r: TrainResult, key: SummaryKey): number | null => (key === "wallSeconds" ? r.wallSeconds : r.summary[key])

const mean = (values: ReadonlyArray<number | null>): number | null => {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v))
  return finite.length === 0 ? null : finite.reduce((a, b) => a + b, 0) / finite.length
}

/** A run with the matrix values of its cell (method, seed, swept fields). */
export interface CellResult {
  readonly values: Readonly<Record<string, unknown>>
  readonly result: TrainResult
}

/** The cell's swept fields and their values (empty without a sweep). */
const sweptValues = (c: CellResult): Array<[string, unknown]> => Object.entries(c.values).filter(([k]) => k !== "seed" && k !== "method")

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
    const means = Object.fromEntries(summaryKeys.map((k) => [k, mean(perSeed[k])])) as { [K in SummaryKey]: number | null }
    methods[method] = { ...means, seeds: sorted.map((r) => r.seed), perSeed }
  }
  return { methods }
}

/** Per-epoch rows of every run, for `metrics.jsonl` and `metrics.csv`: method, seed, backend and any swept field's value (e.g. `"noise.rate": 0.4`), then the epoch's metrics. */
export const metricRows = (cells: readonly CellResult[]): Array<Readonly<Record<string, unknown>>> =>
  cells.flatMap((c) => {
    const labels = { method: c.result.method, seed: c.result.seed, backend: c.result.backend, ...Object.fromEntries(sweptValues(c)) }
    return c.result.history.map((row) => ({ ...labels, ...row }))
  })

/** The method every other one is compared with: the base optimizer alone. */
export const baselineMethod = "sgd"

/**
 * How much of SAM's best-accuracy gain over SGD another method recovers:
 * (acc(method) - acc(sgd)) / (acc(sam) - acc(sgd)); null without a positive gap.
 */
export const gapRecovered = (summary: RunSummaryFile, method: string, key: "bestTestAcc" | "finalTestAcc" = "bestTestAcc"): number | null => {
  const sgd = summary.methods[baselineMethod]?.[key]
  const sam = summary.methods["sam"]?.[key]
  const other = summary.methods[method]?.[key]
  if (sgd == null || sam == null || other == null || sam - sgd <= 0) return null
  return (other - sgd) / (sam - sgd)
}
