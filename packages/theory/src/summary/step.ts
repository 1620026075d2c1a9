import { ResultsStore, makeStep } from "@samlab/pipeline"
import { Effect, Schema } from "effect"

/** What every theory run stores: its rho and seed, and one record per logged step. */
export interface TheoryRun {
  readonly rho: number
  readonly seed: number
  readonly records: ReadonlyArray<object>
}

/** The inputs of a theory experiment's aggregate steps: every cell's train output. */
export type TheoryCells<R> = { readonly cells: ReadonlyArray<{ readonly outputs: { readonly train: R } }> }

/**
 * A theory experiment's `summary` step: writes `summary.json` and `metrics.jsonl` (every record
 * of every run, labelled with rho and seed; cheap, so always rerun).
 */
export const theorySummaryStep = <R extends TheoryRun, S>(spec: { readonly description: string; readonly summarize: (runs: readonly R[]) => S }) =>
  makeStep({
    name: "summary",
    description: spec.description,
    config: Schema.Struct({}),
    run: (_c: {}, inputs: TheoryCells<R>) =>
      Effect.gen(function* () {
        const store = yield* ResultsStore
        const runs = inputs.cells.map((c) => c.outputs.train)
        const summary = spec.summarize(runs)
        yield* store.writeJsonl(
          "metrics.jsonl",
          runs.flatMap((r) => r.records.map((rec) => ({ rho: r.rho, seed: r.seed, ...rec })))
        )
        yield* store.writeJson("summary.json", summary)
        return { summary }
      })
  })
