import { castKernel, compareKernels, logicalKernels, selectKernel } from "./compare.js"
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel, fusedConv2dKernel } from "./conv.js"
import { addNKernel, binaryKernels, unaryKernels } from "./elementwise.js"
import { batchMatMulKernel, fusedMatMulKernel } from "./matmul.js"
import { avgPoolGradKernel, avgPoolKernel, maxPoolGradKernel, maxPoolKernel } from "./pool.js"
import { globalNormKernel, reduceKernels } from "./reduce.js"
import { scaledAddKernel } from "./scaled-add.js"
import { sgdStepKernel } from "./sgd-step.js"
import { batchNormKernels } from "./batch-norm.js"
import { batchNormTrainKernels } from "./batch-norm-train.js"
import { biasReluKernels } from "./bias-relu.js"
import { copyKernels } from "./copy.js"
import type { NativeKernelSpec } from "./spec.js"

/** Every kernel the native backend runs in the addon; all others are the cpu backend's. */
export const nativeKernels: readonly NativeKernelSpec[] = [
  ...batchNormKernels,
  ...batchNormTrainKernels,
  ...biasReluKernels,
  batchMatMulKernel,
  fusedMatMulKernel,
  conv2dKernel,
  fusedConv2dKernel,
  conv2dBackpropInputKernel,
  conv2dBackpropFilterKernel,
  maxPoolKernel,
  maxPoolGradKernel,
  avgPoolKernel,
  avgPoolGradKernel,
  ...binaryKernels,
  ...unaryKernels,
  addNKernel,
  ...compareKernels,
  ...logicalKernels,
  castKernel,
  selectKernel,
  ...copyKernels,
  ...reduceKernels,
  globalNormKernel,
  scaledAddKernel,
  sgdStepKernel
]

export { batchNormGradients, batchNormKernelNames } from "./batch-norm.js"
export { batchNormTrainKernelNames } from "./batch-norm-train.js"
export { biasReluGradients, biasReluKernelNames } from "./bias-relu.js"
export { globalNormGradients, globalNormKernelName } from "./reduce.js"
export { scaledAddGradients, scaledAddKernelName } from "./scaled-add.js"
export { sgdStepKernelName } from "./sgd-step.js"
export type { NativeKernelArgs, NativeKernelSpec } from "./spec.js"
