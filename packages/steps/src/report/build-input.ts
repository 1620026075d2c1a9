import {
  type DecompositionGroupPoint,
  type DecompositionPoint,
  type JsonValue,
  type MethodReport,
  type ReportEpoch,
  type ReportInput,
  meanOf
} from "@samlab/analysis-decomposition"
import { type CellResult, type RunSummaryFile, groupKey, spreadKeys, sweptValues } from "../summary/summarize.js"
import { baseKindOf, headlineOf, methodLabel, settingOf } from "./headline.js"
import type { TrainResult } from "../train/result.js"

type Row = Readonly<Record<string, unknown>>

const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN)

/** One number over seeds, epoch by epoch: the mean, or the lowest or highest seed. */
const curveOver = (runs: readonly TrainResult[], combine: (values: number[]) => number): ReportEpoch[] => {
  const epochs = runs[0]?.history.map((r) => num(r["epoch"])) ?? []
  return epochs.map((epoch, i) => {
    const rows = runs.map((r) => r.history[i]).filter((r): r is Row => r !== undefined)
    const fields = Object.keys(rows[0] ?? {}).filter((k) => typeof rows[0]![k] === "number" || rows[0]![k] === null)
    const out: Record<string, number> = { epoch }
    for (const f of fields) if (f !== "epoch") out[f] = combine(rows.map((r) => num(r[f])))
    return out as unknown as ReportEpoch
  })
}

const meanOfValues = (v: number[]): number => meanOf(v) ?? Number.NaN

const group = (g: Row | undefined): DecompositionGroupPoint | undefined => {
  if (!g) return undefined
  const q = g["quantities"] as Record<string, Row> | undefined
  const stat = (name: string) => ({
    mean: num(q?.[name]?.["mean"]),
    median: num(q?.[name]?.["median"]),
    q25: num(q?.[name]?.["q25"]),
    q75: num(q?.[name]?.["q75"])
  })
  return {
    count: num(g["count"]),
    logitTermNorm: stat("logitTermNorm"),
    gradNorm: stat("gradNorm"),
    samGradNorm: stat("samGradNorm"),
    samFactor: stat("samFactor"),
    logitFactor: stat("logitFactor"),
    jacobianFactor: stat("jacobianFactor")
  }
}

/** The first seed's decompositions (they are per-run measurements, not averaged). */
const decompositionPoints = (run: TrainResult | undefined): DecompositionPoint[] =>
  (run?.decompositions ?? []).flatMap((d) => {
    const summary = d["summary"] as Row | undefined
    const clean = group(summary?.["clean"] as Row | undefined)
    const noisy = group(summary?.["noisy"] as Row | undefined)
    return clean && noisy ? [{ epoch: num(d["epoch"]), clean, noisy }] : []
  })

const orNaN = (v: number | null | undefined) => (v === null || v === undefined ? Number.NaN : v)

/** Turns the stored results of every cell and the summary into the report's input. */
export const buildReportInput = (
  title: string,
  config: Readonly<Record<string, JsonValue>>,
  summary: RunSummaryFile,
  cells: readonly CellResult[],
  notes: readonly string[] = []
): ReportInput => {
  const baseKind = baseKindOf(config)
  const headline = headlineOf(summary, baseKind)
  const methods: Record<string, MethodReport> = {}
  for (const [method, s] of Object.entries(summary.methods)) {
    const groupCells = cells.filter((c) => groupKey(c) === method)
    const runs = groupCells.map((c) => c.result).sort((a, b) => a.seed - b.seed)
    const swept = groupCells[0] === undefined ? [] : sweptValues(groupCells[0])
    const stdOf = Object.fromEntries(
      spreadKeys.flatMap((k) => {
        const sd = s.spread[k].std
        return sd === null ? [] : [[k, sd]]
      })
    )
    methods[method] = {
      summary: {
        bestTestAcc: orNaN(s.bestTestAcc),
        bestEpoch: orNaN(s.bestEpoch),
        finalTestAcc: orNaN(s.finalTestAcc),
        earlyStopTestAcc: orNaN(s.earlyStopTestAcc),
        earlyStopEpoch: orNaN(s.earlyStopEpoch),
        cleanTrainAccAtBest: orNaN(s.cleanTrainAccAtBest),
        noisyTrainAccNoisyLabelAtBest: orNaN(s.noisyTrainAccAtBest),
        wallSeconds: orNaN(s.wallSeconds),
        seeds: s.seeds,
        std: stdOf
      },
      label: methodLabel(method, baseKind),
      perEpoch: curveOver(runs, meanOfValues),
      ...(runs.length > 1 ? { perEpochMin: curveOver(runs, (v) => Math.min(...v)), perEpochMax: curveOver(runs, (v) => Math.max(...v)) } : {}),
      decomposition: decompositionPoints(runs[0]),
      ...(swept.length > 0 ? { sweep: { method: methodLabel(runs[0]!.method, baseKind), values: Object.fromEntries(swept) as Record<string, JsonValue> } } : {})
    }
  }
  const setting = settingOf(config)
  return {
    title: setting ? `${title}: ${setting}` : title,
    ...(headline ? { headline } : {}),
    ...(summary.warnings.length > 0
      ? { warnings: Object.entries(summary.methods).flatMap(([m, s]) => s.warnings.map((w) => `${methodLabel(m, baseKind)} ${w}`)) }
      : {}),
    config,
    methods,
    notes,
    createdAt: new Date().toISOString()
  }
}
