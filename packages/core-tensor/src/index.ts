export { TaggedError } from "./errors/tagged-error.js"
export { type BackendName, backendNames } from "./backend/candidates.js"
export { BackendUnavailableError } from "./backend/errors.js"
export { type BackendInfo, type ProbedBackend, type SelectBackendOptions, type SkippedBackend, activeBackend, describeAdapter, probeBackends, selectBackend } from "./backend/select.js"
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
  scale,
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
export { type SgdOptions, type SgdState, sgd } from "./optim/sgd.js"
export { type AdamOptions, type AdamState, adam, adamw } from "./optim/adam.js"
export { addDecayedWeights, chain, clipByGlobalNorm } from "./optim/chain.js"
export { applyUpdates } from "./optim/apply-updates.js"
export { type ValueAndGrads, valueAndGradParams, valueAndGradParamsWithAux } from "./optim/value-and-grad.js"
export { erm } from "./optim/erm.js"
export { gradientsTfjsCoreVersion, registerMissingGradients } from "./optim/gradients/register.js"
export { TensorTreeError, type TreeSkeleton, decodeTensorTree, encodeTensorTree } from "./params/serialize.js"
export { missingTrainingKernels, trainingKernels } from "./backend/training-kernels.js"
export { type GpuAdapterInfo, isSoftwareAdapter, webgpuInstallHint } from "./backend/webgpu/dawn.js"
export { swiftShaderIcd, useSwiftShader } from "./backend/webgpu/swiftshader.js"
