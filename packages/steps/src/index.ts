export {
  type BaseOptimizerConfig,
  BaseOptimizerSchema,
  DatasetNameSchema,
  type MethodKey,
  MethodKeySchema,
  MethodOptionOverridesSchema,
  type MethodOptionsConfig,
  MethodOptionsSchema,
  ModelSpecSchema,
  RecordsSchema,
  Fraction,
  NonNegative,
  NonNegativeInt,
  PositiveInt,
  defaultMethodOptions,
  methodKeys,
  splitSizeIssues,
  withDefault
} from "./schema.js"
export { type DataOptions, DataSizeError, type LabelledImages, type PreparedData, prepareData } from "./data/prepare.js"
export { type DataConfig, DataConfigSchema, DataLoadError, NoiseSchema, dataStep } from "./data/step.js"
export { makeBaseOptimizer, makeMethod } from "./train/methods.js"
export {
  type EpochEnd,
  NonFiniteParamsError,
  type TrainLoopOptions,
  TrainSetTooSmallError,
  type TrainState,
  type Trainer,
  type TrainerOptions,
  makeTrainer,
  trainLoop
} from "./train/loop.js"
export { type TrainResult, TrainResultSchema } from "./train/result.js"
export { type TrainConfig, TrainConfigSchema, TrainingError, trainStep } from "./train/step.js"
export {
  type CellResult,
  type MethodSummary,
  type RunSummaryFile,
  type Spread,
  type SpreadKey,
  baselineMethod,
  mayNotHavePeaked,
  summarizeResults,
  summaryLines
} from "./summary/summarize.js"
export { summaryStep } from "./summary/step.js"
export { buildReportInput } from "./report/build-input.js"
export { reportStep } from "./report/step.js"
