export { TheoryConfigError, TheoryRunError } from "./errors.js"
export { PositiveFinite, mixtureSchema } from "./schema.js"
export { TheoryInputError } from "./closed-form/errors.js"
export { oneSamGradientFactor, oneSamGradientFactors } from "./closed-form/one-sam-logistic.js"
export { jsamTwoLayerObjective, jsamTwoLayerObjectiveBatch } from "./closed-form/jsam-two-layer.js"
export { type BinarySplit, type MixtureOptions, type NoisyMixture, makeNoisyMixture } from "./data/mixture.js"
export { type BinaryMetrics, binaryMetrics } from "./metrics/binary-metrics.js"
export { type MeanCurve, meanCurve } from "./metrics/curves.js"
export { cleanNoisyWeightRatio, oneSamDiagnostics, oneSamLinearGradients } from "./train/one-sam-linear.js"
export { jsamObjectiveGradient, jsamPerExampleGradients } from "./train/two-layer-linear.js"
export { type LinearLogisticRecord, type LinearLogisticRunOptions, runLinearLogistic } from "./train/linear-logistic-run.js"
export {
  type DeepLinearMetrics,
  type DeepLinearRecord,
  type DeepLinearRun,
  type DeepLinearRunOptions,
  type DeepLinearTrainer,
  deepLinearTrainers,
  maxRelDiff,
  runDeepLinear
} from "./train/deep-linear-run.js"
export { type LinearLogisticRhoSummary, type LinearLogisticSummaryFile, summarizeLinearLogistic } from "./summary/linear-logistic.js"
export {
  type DeepLinearRhoSummary,
  type DeepLinearSummaryFile,
  type DeepLinearTrainerSummary,
  summarizeDeepLinear,
  trajectoryTolerance
} from "./summary/deep-linear.js"
export { type TheoryPageInput, renderTheoryPage } from "./report/page.js"
export { linearLogisticPage } from "./report/linear-logistic.js"
export { deepLinearPage } from "./report/deep-linear.js"
export { type MixtureDataConfig, mixtureDataStep } from "./data/step.js"
export {
  type LinearLogisticResult,
  type LinearLogisticTrainConfig,
  type StoredLinearLogisticRecord,
  linearLogisticTrainStep
} from "./train/linear-logistic-step.js"
export { type DeepLinearResult, type DeepLinearTrainConfig, type StoredDeepLinearRecord, deepLinearTrainStep } from "./train/deep-linear-step.js"
export { linearLogisticSummaryStep } from "./summary/linear-logistic-step.js"
export { linearLogisticReportStep } from "./report/linear-logistic-step.js"
export { deepLinearSummaryStep } from "./summary/deep-linear-step.js"
export { deepLinearReportStep } from "./report/deep-linear-step.js"
