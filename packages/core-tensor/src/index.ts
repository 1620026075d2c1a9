export { TaggedError, type TaggedErrorConstructor } from "./errors/tagged-error.js"
export { type BackendName, backendNames } from "./backend/candidates.js"
export { BackendUnavailableError } from "./backend/errors.js"
export {
  type BackendInfo,
  type ProbedBackend,
  type SelectBackendOptions,
  type SkippedBackend,
  activeBackend,
  describeAdapter,
  probeBackends,
  selectBackend
} from "./backend/select.js"
export { Rng } from "./random/rng.js"
export {
  type ParamSnapshot,
  type Params,
  ParamMismatchError,
  assertSameStructure,
  cloneParams,
  disposeParams,
  flattenParams,
  globalNorm,
  keepParams,
  mapParams,
  nonFiniteParams,
  paramCount,
  restoreParams,
  scaleParams,
  scaledAdd,
  snapshotParams,
  unflattenParams,
  zerosLike,
  zipParams
} from "./params/params.js"
export { TensorLeakError, expectNoLeak, liveTensors } from "./memory/leaks.js"
export type { ApplyOptions, Model, ModelOutput } from "./models/model.js"
export { ModelInputError, ModelParamError, ModelSpecError } from "./models/errors.js"
export { disposeOutput, tidyOutput } from "./models/output.js"
export type { Activation } from "./models/layers/activation.js"
export { type MlpOptions, mlp, referenceMlp } from "./models/mlp.js"
export { type LinearOptions, linear } from "./models/linear.js"
export { type TwoLayerLinearOptions, twoLayerLinear } from "./models/two-layer-linear.js"
export { type SmallCnnOptions, smallCnn } from "./models/small-cnn.js"
export { type Resnet18Options, type ResnetOptions, resnet, resnet18 } from "./models/resnet18.js"
export { type ImageShape, cifarImageShape, imageShape } from "./models/image-shape.js"
export { type MakeModelOptions, type ModelSpec, makeModel, modelKinds, parseModelSpec } from "./models/spec.js"
export * as layers from "./models/layers/index.js"
export type { Batch, ForwardFn, ForwardOutput, GradientTransformation, StepResult, TrainingMethod } from "./optim/transform.js"
export { LabelMismatchError } from "./loss/errors.js"
export { meanCrossEntropy, perExampleCrossEntropy } from "./loss/cross-entropy.js"
export { logitTerm } from "./loss/logit-term.js"
export { accuracy, perExampleCorrect } from "./loss/accuracy.js"
export { NonFiniteLossError, OptimizerConfigError } from "./optim/errors.js"
export { type LearningRate, type Schedule, constantSchedule, cosineSchedule, rateAt, stepSchedule, toSchedule } from "./optim/schedule.js"
export { identity } from "./optim/identity.js"
export { scale } from "./optim/scale.js"
export { type ScaleByLearningRateState, scaleByLearningRate } from "./optim/scale-by-learning-rate.js"
export { type TraceOptions, type TraceState, trace } from "./optim/trace.js"
export { type ScaleByAdamOptions, type ScaleByAdamState, scaleByAdam } from "./optim/scale-by-adam.js"
export { addDecayedWeights } from "./optim/add-decayed-weights.js"
export { clipByGlobalNorm } from "./optim/clip-by-global-norm.js"
export { chain } from "./optim/chain.js"
export { type AdamOptions, type SgdOptions, adam, adamw, sgd } from "./optim/alias.js"
export { applyUpdates, updateAndApply } from "./optim/apply-updates.js"
export { sgdStepKernelName } from "./optim/fused-sgd.js"
export { type ValueAndGrads, valueAndGradParams, valueAndGradParamsWithAux } from "./optim/value-and-grad.js"
export { constantOf, stopGradient } from "./optim/stop-gradient.js"
export type { GradientEstimate, GradientEstimator, LossTerm } from "./optim/estimator.js"
export { withLossTerm } from "./optim/with-loss-term.js"
export { withBase } from "./optim/with-base.js"
export { erm, ermEstimator } from "./optim/erm.js"
export { type StatefulForward, type StepReport, type Stepper, type StepperOptions, stepper, trainingForward } from "./optim/stepper.js"
export { gradientsTfjsCoreVersion, registerMissingGradients } from "./optim/gradients/register.js"
export { TensorTreeError, type TreeSkeleton, decodeTensorTree, encodeTensorTree } from "./params/serialize.js"
export { missingTrainingKernels, trainingKernels } from "./backend/training-kernels.js"
export { type GpuAdapterInfo, isSoftwareAdapter, webgpuInstallHint } from "./backend/webgpu/dawn.js"
export { swiftShaderIcd, useSwiftShader } from "./backend/webgpu/swiftshader.js"
