import type { DecompositionSummary } from "../decomposition/aggregate.js"
import type { TrackedDecomposition } from "../tracking/tracker.js"
import type { EpochMetrics, RunSummary } from "../tracking/types.js"
import type { DecompositionGroupPoint, DecompositionPoint, MethodReport } from "./types.js"

const groupPoint = (g: DecompositionSummary["clean"]): DecompositionGroupPoint => {
  const pick = (q: keyof typeof g.quantities) => {
    const s = g.quantities[q]
    return { mean: s.mean, median: s.median, q25: s.q25, q75: s.q75 }
  }
  return {
    count: g.count,
    logitTermNorm: pick("logitTermNorm"),
    gradNorm: pick("gradNorm"),
    samGradNorm: pick("samGradNorm"),
    samFactor: pick("samFactor"),
    logitFactor: pick("logitFactor"),
    jacobianFactor: pick("jacobianFactor")
  }
}

/** A tracked decomposition in the report's compact form. */
export const decompositionPointFrom = (d: TrackedDecomposition): DecompositionPoint => ({
  epoch: d.epoch,
  clean: groupPoint(d.summary.clean),
  noisy: groupPoint(d.summary.noisy)
})

/** A method's report section from one tracked run (what the steps package feeds per method and seed). */
export const methodReportFrom = (
  run: { readonly history: readonly EpochMetrics[]; readonly decompositions?: readonly TrackedDecomposition[]; readonly summary: RunSummary },
  extra: { readonly label?: string; readonly seeds: readonly number[]; readonly wallSeconds?: number }
): MethodReport => {
  const s = run.summary
  return {
    ...(extra.label ? { label: extra.label } : {}),
    summary: {
      bestTestAcc: s.bestTestAcc,
      bestEpoch: s.bestEpoch,
      finalTestAcc: s.finalTestAcc,
      ...(s.earlyStopTestAcc !== undefined ? { earlyStopTestAcc: s.earlyStopTestAcc, earlyStopEpoch: s.earlyStopEpoch! } : {}),
      cleanTrainAccAtBest: s.cleanTrainAccAtBest,
      noisyTrainAccNoisyLabelAtBest: s.noisyTrainAccNoisyLabelAtBest,
      ...(extra.wallSeconds !== undefined ? { wallSeconds: extra.wallSeconds } : {}),
      seeds: extra.seeds
    },
    perEpoch: run.history,
    ...(run.decompositions && run.decompositions.length > 0 ? { decomposition: run.decompositions.map(decompositionPointFrom) } : {})
  }
}
