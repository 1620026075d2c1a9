import { type AnyPipeline, FileResultsStore, type PlanOptions, SilentProgress, makePlan, runPlan } from "@samlab/pipeline"
import { Effect, Layer } from "effect"

/** Plans a pipeline and runs it into `out`, silently. */
export const planAndRun = (pipeline: AnyPipeline, out: string, options: PlanOptions) =>
  makePlan(pipeline, options).pipe(
    Effect.flatMap((plan) => runPlan(plan)),
    Effect.provide(Layer.mergeAll(FileResultsStore(out), SilentProgress))
  )
