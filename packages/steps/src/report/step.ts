import { type JsonValue, reportCharts, renderReport } from "@samlab/analysis-decomposition"
import { type Cell, ResultsStore, makeStep } from "@samlab/pipeline"
import { Effect, Schema } from "effect"
import { buildReportInput } from "./build-input.js"
import { baseKindOf, methodLabel } from "./headline.js"
import { baselineMethod, gapRecovered, type RunSummaryFile } from "../summary/summarize.js"
import type { TrainResult } from "../train/result.js"

const pct = (v: number | null) => (v === null ? "n/a" : `${(100 * v).toFixed(0)}%`)

/** Notes that answer the experiment's question: how much of SAM's gain each method recovers. */
const comparisonNotes = (summary: RunSummaryFile, baseKind: string): string[] =>
  ["jsam", "lsam", "jacreg"]
    .filter((m) => summary.methods[m])
    .map(
      (m) =>
        `${methodLabel(m)} recovers ${pct(gapRecovered(summary, m))} of SAM's best-accuracy gain over ${methodLabel(baselineMethod, baseKind)} (${pct(gapRecovered(summary, m, "finalTestAcc"))} at the final epoch).`
    )

/** Writes `report.html` (self-contained) and each chart as `charts/<id>.svg`. Cheap, so always rerun. */
export const reportStep = makeStep({
  name: "report",
  description: "self-contained HTML report with the results table and charts",
  config: Schema.Struct({ title: Schema.String, config: Schema.Record(Schema.String, Schema.Unknown) }),
  run: (
    c: { readonly title: string; readonly config: Readonly<Record<string, unknown>> },
    inputs: {
      readonly cells: ReadonlyArray<{ readonly cell: Cell; readonly outputs: { readonly train: TrainResult } }>
      readonly summary: { readonly summary: RunSummaryFile }
    }
  ) =>
    Effect.gen(function* () {
      const store = yield* ResultsStore
      const cells = inputs.cells.map((cell) => ({ values: cell.cell.values, result: cell.outputs.train }))
      const config = c.config as Readonly<Record<string, JsonValue>>
      const input = buildReportInput(c.title, config, inputs.summary.summary, cells, comparisonNotes(inputs.summary.summary, baseKindOf(config)))
      const charts = reportCharts(input)
      for (const chart of charts) yield* store.writeText(`charts/${chart.id}.svg`, chart.svg)
      yield* store.writeText("report.html", renderReport(input))
      return { charts: charts.map((ch) => ch.id) }
    })
})
