import * as tf from "@tensorflow/tfjs-core"

/**
 * The tfjs kernels one training step runs, forward and backward, for every samlab model (MLP,
 * small CNN, ResNet-18 with batch norm) and method (SGD, SAM, ASAM, 1-SAM, L-SAM, J-SAM, the
 * Jacobian regularizer, SANER), with the finite-parameter check and the overflow-safe global norm
 * (IsFinite, Maximum, Select); Tile broadcasts global average pooling's gradient. A test in
 * @samlab/steps profiles those steps and checks this list covers them, so a backend that
 * registers all of them trains without a missing kernel.
 */
export const trainingKernels = [
  "Abs",
  "Add",
  "AddN",
  "BatchMatMul",
  "Cast",
  "Concat",
  "Conv2D",
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "Exp",
  "ExpandDims",
  "Greater",
  "Identity",
  "IsFinite",
  "Less",
  "Log",
  "LogicalAnd",
  "Max",
  "MaxPool",
  "MaxPoolGrad",
  "Maximum",
  "Mean",
  "Multiply",
  "Neg",
  "OneHot",
  "Pack",
  "PadV2",
  "RealDiv",
  "Relu",
  "Reshape",
  "Rsqrt",
  "Select",
  "Slice",
  "Softmax",
  "SplitV",
  "Sqrt",
  "Square",
  "Step",
  "Sub",
  "Sum",
  "Tile",
  "ZerosLike"
] as const

/** The training kernels that the tfjs backend registered as `tfName` lacks (none: it can train every model). */
export const missingTrainingKernels = (tfName: string): string[] => trainingKernels.filter((k) => tf.getKernel(k, tfName) === undefined)
