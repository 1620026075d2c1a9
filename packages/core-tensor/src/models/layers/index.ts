/** Building blocks of the models, exported as the `layers` namespace. */
export { type Activation, activate, activationKinds } from "./activation.js"
export {
  batchNorm,
  batchNormEpsilon,
  batchNormKernelNames,
  batchNormInit,
  batchNormInitState,
  batchNormMomentum,
  batchNormShapes,
  batchNormStateShapes,
  batchNormTrainKernelNames
} from "./batch-norm.js"
export { batchNormRelu } from "./batch-norm-relu.js"
export { type ConvSpec, conv2d, conv2dInit, conv2dShapes, convOutSize } from "./conv2d.js"
export { conv2dPortableGrad } from "./conv2d-portable.js"
export { dense, denseInit, denseShapes } from "./dense.js"
export { flatten } from "./flatten.js"
export { padSpatial } from "./padding.js"
export { constantTensor, uniformFanIn } from "./init.js"
export { globalAveragePool, maxPool2x2 } from "./pool.js"
export { biasRelu, relu, reluKernelNames } from "./relu.js"
