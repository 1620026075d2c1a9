import { type Cell, Progress, ResultsStore, makeStep } from "@samlab/pipeline"
import { Effect, Schema } from "effect"
import { toCsv } from "./csv.js"
import { metricRows, summarizeResults, summaryLines } from "./summarize.js"
import type { TrainResult } from "../train/result.js"

/**
 * Writes `summary.json` (per-method means over seeds, their spread, and warnings; with a sweep,
 * per method and swept value) and every run's epochs as `metrics.jsonl` and `metrics.csv`, and
 * logs one line per method (a warning where the best epoch is in the last 10%). Cheap, so always rerun.
 */
export const summaryStep = makeStep({
  name: "summary",
  description: "per-method means over seeds (summary.json) and per-epoch metrics (metrics.jsonl)",
  config: Schema.Struct({}),
  run: (_c: {}, inputs: { readonly cells: ReadonlyArray<{ readonly cell: Cell; readonly outputs: { readonly train: TrainResult } }> }) =>
    Effect.gen(function* () {
      const store = yield* ResultsStore
      const progress = yield* Progress
      const cells = inputs.cells.map((c) => ({ values: c.cell.values, result: c.outputs.train }))
      const summary = summarizeResults(cells)
      const rows = metricRows(cells)
      yield* store.writeJsonl("metrics.jsonl", rows)
      yield* store.writeText("metrics.csv", toCsv(rows))
      yield* store.writeJson("summary.json", summary)
      for (const line of summaryLines(summary)) progress.log(line)
      return { summary, results: cells.map((c) => c.result) }
    })
})
