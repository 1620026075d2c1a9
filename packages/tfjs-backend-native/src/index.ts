/**
 * @samlab/tfjs-backend-native: a tfjs backend named "native" whose hot kernels (GEMM,
 * convolutions, pooling, element-wise ops, reductions) run in a multi-threaded SIMD addon;
 * every other kernel is the cpu backend's. Importing this module registers the backend,
 * or throws a NativeAddonUnavailableError saying why it cannot (addon not built).
 */
import { requireAddon } from "./addon.js"
import { registerNativeBackend } from "./register.js"

const addon = requireAddon()
registerNativeBackend(addon)

export { NativeAddonUnavailableError, NativeKernelError } from "./errors.js"
export type { NativeInfo, PeakMeasurement } from "./addon.js"
export { NativeBackend } from "./backend.js"
export { type NativeKernelStats, nativeBackendName, nativeKernelNames, nativeKernelStats } from "./register.js"
export { batchNormKernelNames } from "./kernels/batch-norm.js"
export { batchNormTrainKernelNames } from "./kernels/batch-norm-train.js"
export { biasReluKernelNames } from "./kernels/bias-relu.js"
export { globalNormKernelName } from "./kernels/reduce.js"
export { scaledAddKernelName } from "./kernels/scaled-add.js"
export { sgdStepKernelName } from "./kernels/sgd-step.js"
export { measureNativePeak, nativeInfo, setNativeThreads } from "./control.js"
