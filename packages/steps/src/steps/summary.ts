import { ResultsStore, makeStep } from "@samlab/pipeline"
import { Effect, Schema } from "effect"
import { metricRows, summarizeResults } from "../summary/summarize.js"
import type { TrainResult } from "./train-result.js"

/** Writes `summary.json` (per-method means over seeds) and `metrics.jsonl` (every run's epochs). Cheap, so always rerun. */
export const summaryStep = makeStep({
  name: "summary",
  description: "per-method means over seeds (summary.json) and per-epoch metrics (metrics.jsonl)",
  config: Schema.Struct({}),
  run: (_c: {}, inputs: { readonly cells: ReadonlyArray<{ readonly outputs: { readonly train: TrainResult } }> }) =>
    Effect.gen(function* () {
      const store = yield* ResultsStore
      const results = inputs.cells.map((c) => c.outputs.train)
      const summary = summarizeResults(results)
      yield* store.writeJsonl("metrics.jsonl", metricRows(results))
      yield* store.writeJson("summary.json", summary)
      return { summary, results }
    })
})
