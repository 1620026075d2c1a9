import { AnalysisInputError } from "../errors.js"
import type { EpochMetrics, RunSummary } from "./types.js"

/** First index of the largest finite value, or -1. */
const argMax = (values: readonly number[]): number => {
  let best = -1
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!) && (best < 0 || values[i]! > values[best]!)) best = i
  return best
}

type SummaryInput = Pick<EpochMetrics, "epoch" | "testAcc"> & Partial<Pick<EpochMetrics, "validationAcc" | "cleanTrainAcc" | "noisyTrainAccNoisyLabel">>

/**
 * The run's summary from its epochs in order: the early-stopping peak (an oracle that looks at
 * the test set), the noisy-validation pick (which does not), and the final accuracy.
 */
export const summarizeRun = (history: readonly SummaryInput[]): RunSummary => {
  if (history.length === 0) throw new AnalysisInputError("summarizeRun", "history", "is empty")
  const best = argMax(history.map((h) => h.testAcc))
  if (best < 0) throw new AnalysisInputError("summarizeRun", "history", "has no finite test accuracy")
  const at = history[best]!
  const withValidation = history.every((h) => h.validationAcc !== undefined)
  const pick = withValidation ? argMax(history.map((h) => h.validationAcc!)) : -1
  const last = history[history.length - 1]!
  return {
    epochs: history.length,
    bestTestAcc: at.testAcc,
    bestEpoch: at.epoch,
    finalTestAcc: last.testAcc,
    cleanTrainAccAtBest: at.cleanTrainAcc ?? Number.NaN,
    noisyTrainAccNoisyLabelAtBest: at.noisyTrainAccNoisyLabel ?? Number.NaN,
    ...(pick >= 0
      ? { earlyStopEpoch: history[pick]!.epoch, earlyStopValidationAcc: history[pick]!.validationAcc!, earlyStopTestAcc: history[pick]!.testAcc }
      : {})
  }
}
