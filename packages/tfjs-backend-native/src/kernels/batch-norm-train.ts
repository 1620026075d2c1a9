import { NativeKernelError } from "../errors.js"
import { flag, positive } from "./attrs.js"
import { floats, geometry, perChannel, sameShape, withGradient } from "./channel-inputs.js"
import type { NativeKernelArgs, NativeKernelSpec } from "./spec.js"
import { output } from "./values.js"

/**
 * Kernels of this backend's own (no cpu twin) for training-mode batch normalisation over the
 * last axis ("channels", NHWC) of a float32 tensor seen as [rows, channels], each one call
 * of two passes: the per-channel arithmetic between the passes (the affine map from the batch
 * statistics, the moving statistics, the closed-form gradient's coefficients) is done in the
 * addon, where tfjs ops would take one small op each, a few dozen per layer and step.
 * @samlab/core-tensor's batch norm calls them by name when they are registered for the
 * active backend and runs its other kernels or tfjs ops otherwise. Attributes: `relu`
 * (boolean), `epsilon`, and `momentum` (forward only).
 */
export const batchNormTrainKernelNames = {
  /**
   * {x, gamma, beta, movingMean, movingVar, residual?} -> [y, mean, variance, newMovingMean,
   * newMovingVar]: y = gamma (x - mean) / sqrt(variance + epsilon) + beta with the batch's mean
   * and biased variance, then + residual (needs relu) and relu when `relu`; the moving
   * statistics (1 - momentum) old + momentum batch, the variance unbiased (rows / (rows - 1)).
   */
  batchNormTrain: "SamlabBatchNormTrain",
  /**
   * {dy, x, gamma, beta, mean, variance} -> [dx, dgamma, dbeta]: the closed-form gradient of y
   * without a residual; with `relu` the ReLU's mask is read from x through the forward's scale
   * and offset (the same floats), so it is exactly step(y).
   */
  batchNormTrainGrad: "SamlabBatchNormTrainGrad"
} as const

const batchNormTrainKernel: NativeKernelSpec = {
  kernelName: batchNormTrainKernelNames.batchNormTrain,
  own: true,
  run: ({ inputs, backend, attrs }: NativeKernelArgs, addon) => {
    const k = batchNormTrainKernelNames.batchNormTrain
    const x = inputs["x"],
      residual = inputs["residual"]
    const xv = floats(k, backend, x, "x")
    const { rows, channels } = geometry(k, x!)
    const vec = (name: string) => perChannel(k, backend, inputs[name], name, channels)
    const relu = flag(k, attrs, "relu")
    let rv: Float32Array | null = null
    if (residual !== undefined) {
      if (!relu) throw new NativeKernelError(k, "a residual needs relu: true")
      rv = floats(k, backend, residual, "residual")
      sameShape(k, x!, residual, "residual")
    }
    const [gamma, beta, movingMean, movingVar] = ["gamma", "beta", "movingMean", "movingVar"].map(vec) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array
    ]
    const y = backend.allocFloat32(rows * channels)
    const stats = [0, 1, 2, 3].map(() => backend.allocFloat32(channels)) as [Float32Array, Float32Array, Float32Array, Float32Array]
    addon.batchNormTrain(
      xv,
      gamma,
      beta,
      movingMean,
      movingVar,
      rv,
      relu,
      positive(k, attrs, "epsilon"),
      positive(k, attrs, "momentum", 1),
      y,
      ...stats,
      rows,
      channels
    )
    return [output(backend, x!.shape, y), ...stats.map((s) => output(backend, [channels], s))]
  }
}

const batchNormTrainGradKernel: NativeKernelSpec = {
  kernelName: batchNormTrainKernelNames.batchNormTrainGrad,
  own: true,
  run: ({ inputs, backend, attrs }: NativeKernelArgs, addon) => {
    const k = batchNormTrainKernelNames.batchNormTrainGrad
    const { operand: x, values: xv, dy: dyv, rows, channels } = withGradient(k, backend, inputs, "x")
    const vec = (name: string) => perChannel(k, backend, inputs[name], name, channels)
    const [gamma, beta, mean, variance] = ["gamma", "beta", "mean", "variance"].map(vec) as [Float32Array, Float32Array, Float32Array, Float32Array]
    const dx = backend.allocFloat32(rows * channels)
    const dgamma = backend.allocFloat32(channels),
      dbeta = backend.allocFloat32(channels)
    addon.batchNormTrainGrad(dyv, xv, gamma, beta, mean, variance, flag(k, attrs, "relu"), positive(k, attrs, "epsilon"), dx, dgamma, dbeta, rows, channels)
    return [output(backend, x.shape, dx), output(backend, [channels], dgamma), output(backend, [channels], dbeta)]
  }
}

/** No gradients: core-tensor's batch norm wraps the forward kernel in a custom gradient that calls the backward one. */
export const batchNormTrainKernels: readonly NativeKernelSpec[] = [batchNormTrainKernel, batchNormTrainGradKernel]
