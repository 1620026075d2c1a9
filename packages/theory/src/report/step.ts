import type { JsonValue } from "@samlab/analysis-decomposition"
import { ResultsStore, makeStep } from "@samlab/pipeline"
import { Effect, Schema } from "effect"
import type { TheoryCells, TheoryRun } from "../summary/step.js"
import { type TheoryPageInput, renderTheoryPage } from "./page.js"

/** A theory experiment's `report` step: writes `charts/*.svg` and `report.html` from the summary and the runs. */
export const theoryReportStep = <R extends TheoryRun, S>(spec: {
  readonly description: string
  readonly page: (summary: S, runs: readonly R[], config: JsonValue) => TheoryPageInput
}) =>
  makeStep({
    name: "report",
    description: spec.description,
    config: Schema.Struct({ config: Schema.Record(Schema.String, Schema.Unknown) }),
    run: (c: { readonly config: Readonly<Record<string, unknown>> }, inputs: TheoryCells<R> & { readonly summary: { readonly summary: S } }) =>
      Effect.gen(function* () {
        const store = yield* ResultsStore
        const page = spec.page(
          inputs.summary.summary,
          inputs.cells.map((cell) => cell.outputs.train),
          c.config as JsonValue
        )
        for (const chart of page.charts) yield* store.writeText(`charts/${chart.id}.svg`, chart.svg)
        yield* store.writeText("report.html", renderTheoryPage(page))
        return { charts: page.charts.map((ch) => ch.id) }
      })
  })
