import type { JsonValue } from "@samlab/analysis-decomposition"
import { ResultsStore, makeStep } from "@samlab/pipeline"
import { Effect, Schema } from "effect"
import { deepLinearPage } from "./deep-linear-report.js"
import { type DeepLinearSummaryFile, summarizeDeepLinear } from "./deep-linear-summary.js"
import type { DeepLinearResult } from "./deep-linear-train-step.js"
import { renderTheoryPage } from "./page.js"

type Cells = { readonly cells: ReadonlyArray<{ readonly outputs: { readonly train: DeepLinearResult } }> }

/** Writes `summary.json` and `metrics.jsonl` (every record of every run). Cheap, so always rerun. */
export const deepLinearSummaryStep = makeStep({
  name: "summary",
  description: "per-rho trajectory drift, objective check, and the three trainers' accuracies and norms (summary.json)",
  config: Schema.Struct({}),
  run: (_c: {}, inputs: Cells) =>
    Effect.gen(function* () {
      const store = yield* ResultsStore
      const results = inputs.cells.map((c) => c.outputs.train)
      const summary = summarizeDeepLinear(results)
      yield* store.writeJsonl("metrics.jsonl", results.flatMap((r) => r.records.map((rec) => ({ rho: r.rho, seed: r.seed, ...rec }))))
      yield* store.writeJson("summary.json", summary)
      return { summary }
    })
})

/** Writes `charts/*.svg` and `report.html`. */
export const deepLinearReportStep = makeStep({
  name: "report",
  description: "charts (parameter drift, test accuracy, training loss, head norm) and report.html",
  config: Schema.Struct({ config: Schema.Record(Schema.String, Schema.Unknown) }),
  run: (c: { readonly config: Readonly<Record<string, unknown>> }, inputs: Cells & { readonly summary: { readonly summary: DeepLinearSummaryFile } }) =>
    Effect.gen(function* () {
      const store = yield* ResultsStore
      const page = deepLinearPage(inputs.summary.summary, inputs.cells.map((cell) => cell.outputs.train), c.config as JsonValue)
      for (const chart of page.charts) yield* store.writeText(`charts/${chart.id}.svg`, chart.svg)
      yield* store.writeText("report.html", renderTheoryPage(page))
      return { charts: page.charts.map((ch) => ch.id) }
    })
})
