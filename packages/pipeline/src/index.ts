export { type Json, type JsonObject, applyOverrides, decodeConfig, encodeConfig, mergeConfig, parseOverride } from "./config.js"
export { Fraction, NonNegative, NonNegativeInt, PositiveInt, withDefault } from "./fields.js"
export {
  ConfigDecodeError,
  type ConfigIssue,
  ExecutorError,
  PipelineDefinitionError,
  type PipelineRunError,
  PipelineSetupError,
  PresetNotFoundError,
  StepFailedError,
  StoreError
} from "./errors.js"
export { type ChildCommand, type ChildOutput, type Executor, childProcessExecutor, inProcessExecutor } from "./executor.js"
export { canonicalJson, contentHash, sha256Hex } from "./hash.js"
export {
  type AggregateNode,
  type AnyPipeline,
  type AxesValues,
  type CellNode,
  type CellOutputs,
  type ConfigWiring,
  type MatrixAxes,
  type PickableKeys,
  Pipeline,
  type PipelineCellValues,
  type PipelineOutputs,
  type StepNode,
  type SweepAxes,
  expandMatrix,
  makePipeline
} from "./pipeline.js"
export { type Plan, type PlanOptions, makePlan } from "./plan.js"
export { type RunOptions, type RunResult, runPlan } from "./runner.js"
export { type AnyStep, type Cell, type CellValues, type Step, type StepContext, makeStep } from "./step.js"
export { type PipelineDescription, describePipeline, formatDescription } from "./describe.js"
export { writeFileAtomic } from "./services/atomic.js"
export { type CheckpointData, StepCheckpoint, type StepCheckpointShape, makeStepCheckpoint } from "./services/checkpoint.js"
export { type Lease, LeaseHeldError, type LeaseHolder, type LeaseOptions, acquireLease, describeHolder } from "./services/lease.js"
export {
  EventProgress,
  Progress,
  type ProgressShape,
  type ProgressTask,
  SilentProgress,
  StderrProgress,
  makeEventProgress,
  makeProgress,
  relayProgress,
  stderrProgress
} from "./services/progress.js"
export { FileResultsStore, ResultsStore, type ResultsStoreShape, jsonLines, readJsonWith } from "./services/store.js"
