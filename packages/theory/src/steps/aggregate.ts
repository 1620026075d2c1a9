import type { JsonValue } from "@samlab/analysis-decomposition"
import { ResultsStore, makeStep } from "@samlab/pipeline"
import { Effect, Schema } from "effect"
import { type TheoryPageInput, renderTheoryPage } from "../report/page.js"

/** What every theory run stores: its rho and seed, and one record per logged step. */
export interface TheoryRun {
  readonly rho: number
  readonly seed: number
  readonly records: ReadonlyArray<object>
}

type Cells<R> = { readonly cells: ReadonlyArray<{ readonly outputs: { readonly train: R } }> }

/**
 * The two aggregate steps of a theory experiment: `summary` writes `summary.json` and
 * `metrics.jsonl` (every record of every run, labelled with rho and seed; cheap, so always
 * rerun), `report` writes `charts/*.svg` and `report.html`.
 */
export const theoryAggregateSteps = <R extends TheoryRun, S>(spec: {
  readonly summary: { readonly description: string; readonly summarize: (runs: readonly R[]) => S }
  readonly report: { readonly description: string; readonly page: (summary: S, runs: readonly R[], config: JsonValue) => TheoryPageInput }
}) => ({
  summaryStep: makeStep({
    name: "summary",
    description: spec.summary.description,
    config: Schema.Struct({}),
    run: (_c: {}, inputs: Cells<R>) =>
      Effect.gen(function* () {
        const store = yield* ResultsStore
        const runs = inputs.cells.map((c) => c.outputs.train)
        const summary = spec.summary.summarize(runs)
        yield* store.writeJsonl("metrics.jsonl", runs.flatMap((r) => r.records.map((rec) => ({ rho: r.rho, seed: r.seed, ...rec }))))
        yield* store.writeJson("summary.json", summary)
        return { summary }
      })
  }),
  reportStep: makeStep({
    name: "report",
    description: spec.report.description,
    config: Schema.Struct({ config: Schema.Record(Schema.String, Schema.Unknown) }),
    run: (c: { readonly config: Readonly<Record<string, unknown>> }, inputs: Cells<R> & { readonly summary: { readonly summary: S } }) =>
      Effect.gen(function* () {
        const store = yield* ResultsStore
        const page = spec.report.page(inputs.summary.summary, inputs.cells.map((cell) => cell.outputs.train), c.config as JsonValue)
        for (const chart of page.charts) yield* store.writeText(`charts/${chart.id}.svg`, chart.svg)
        yield* store.writeText("report.html", renderTheoryPage(page))
        return { charts: page.charts.map((ch) => ch.id) }
      })
  })
})
