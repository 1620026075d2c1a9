import type { JsonValue } from "@samlab/analysis-decomposition"
import { ResultsStore, makeStep } from "@samlab/pipeline"
import { Effect, Schema } from "effect"
import { linearLogisticPage } from "./linear-logistic-report.js"
import { type LinearLogisticSummaryFile, summarizeLinearLogistic } from "./linear-logistic-summary.js"
import type { LinearLogisticResult } from "./linear-logistic-train-step.js"
import { renderTheoryPage } from "./page.js"

type Cells = { readonly cells: ReadonlyArray<{ readonly outputs: { readonly train: LinearLogisticResult } }> }

/** Writes `summary.json` (per rho, over seeds, plus the headline facts) and `metrics.jsonl` (every record of every run). Cheap, so always rerun. */
export const linearLogisticSummaryStep = makeStep({
  name: "summary",
  description: "per-rho best/final test accuracy, noisy fit, weight ratio early/late, closed-form error (summary.json)",
  config: Schema.Struct({}),
  run: (_c: {}, inputs: Cells) =>
    Effect.gen(function* () {
      const store = yield* ResultsStore
      const results = inputs.cells.map((c) => c.outputs.train)
      const summary = summarizeLinearLogistic(results)
      yield* store.writeJsonl("metrics.jsonl", results.flatMap((r) => r.records.map((rec) => ({ rho: r.rho, seed: r.seed, ...rec }))))
      yield* store.writeJson("summary.json", summary)
      return { summary }
    })
})

/** Writes `charts/*.svg` and `report.html`. */
export const linearLogisticReportStep = makeStep({
  name: "report",
  description: "charts (test accuracy, clean vs noisy training accuracy, weight ratio) and report.html",
  config: Schema.Struct({ config: Schema.Record(Schema.String, Schema.Unknown) }),
  run: (c: { readonly config: Readonly<Record<string, unknown>> }, inputs: Cells & { readonly summary: { readonly summary: LinearLogisticSummaryFile } }) =>
    Effect.gen(function* () {
      const store = yield* ResultsStore
      const page = linearLogisticPage(inputs.summary.summary, inputs.cells.map((cell) => cell.outputs.train), c.config as JsonValue)
      for (const chart of page.charts) yield* store.writeText(`charts/${chart.id}.svg`, chart.svg)
      yield* store.writeText("report.html", renderTheoryPage(page))
      return { charts: page.charts.map((ch) => ch.id) }
    })
})
