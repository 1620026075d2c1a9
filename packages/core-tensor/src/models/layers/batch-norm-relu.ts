import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../../params/params.js"
import { affineOf, batchNorm, batchNormEpsilon, batchNormKernelNames, batchStatistics, gradCoefficients, hasFusedKernels, runKernel } from "./batch-norm.js"
import { relu, reluKernelNames } from "./relu.js"

/**
 * Kernels that backends may provide for batch norm's affine map fused with the ReLU after it
 * (@samlab/tfjs-backend-native registers them for "native"), over the last (channel) axis:
 * {x, scale, offset, residual?} -> relu(x scale + offset + residual);
 * {dy, x, scale, offset, center} -> [sum(g), sum(g (x - center))] and
 * {dy, x, scale, offset, a, k, c} -> g a - x k + c, with g = dy step(x scale + offset) the
 * ReLU's gradient read from x. Where any is missing (or one of the batch-norm kernels, or
 * SamlabReluGrad) `batchNormRelu` runs `relu(batchNorm(x) + residual)`, unchanged.
 */
export const batchNormReluKernelNames = {
  channelAffineRelu: "SamlabChannelAffineRelu",
  channelReluGradSums: "SamlabChannelReluGradSums",
  channelReluAffineGrad: "SamlabChannelReluAffineGrad"
} as const

const hasKernels = (): boolean => {
  const backend = tf.getBackend()
  return hasFusedKernels() && [...Object.values(batchNormReluKernelNames), reluKernelNames.reluGrad].every((name) => tf.getKernel(name, backend) !== undefined)
}

/** The per-channel vectors both fused forms share, made outside their custom gradients (no gradient flows through them). */
interface Affine {
  readonly mean: tf.Tensor
  readonly inv: tf.Tensor
  readonly scale: tf.Tensor
  readonly offset: tf.Tensor
}

/**
 * relu(batch norm of x) in one pass; backward two passes that read the ReLU's mask from x
 * (where the unfused form runs a ReLU-gradient pass first), with batch norm's closed-form
 * gradient (see batch-norm.ts).
 */
const normaliseReluFused = ({ mean, inv, scale, offset }: Affine) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, , save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    const value = runKernel(batchNormReluKernelNames.channelAffineRelu, { x, scale, offset }) as tf.Tensor
    save([x, gamma, mean, inv, scale, offset])
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, gammaS, meanS, invS, scaleS, offsetS] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]
        const mask = { dy: dy as tf.Tensor, x: xs, scale: scaleS, offset: offsetS }
        const [sumG, sumGCentred] = runKernel(batchNormReluKernelNames.channelReluGradSums, { ...mask, center: meanS }) as [tf.Tensor, tf.Tensor]
        const sumGXhat = tf.mul(invS, sumGCentred)
        const { a, k, c } = gradCoefficients(gammaS, invS, meanS, sumG, sumGXhat, xs.size / xs.shape[3]!)
        const dx = runKernel(batchNormReluKernelNames.channelReluAffineGrad, { ...mask, a, k, c }) as tf.Tensor
        return [dx, sumGXhat, sumG]
      }
    }
  })

/**
 * relu(batch norm of x + residual) in one pass; backward the ReLU's gradient g from the saved
 * output (one pass; g is also the residual's gradient), then batch norm's two.
 */
const normaliseAddReluFused = ({ mean, inv, scale, offset }: Affine) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, , residual, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    const value = runKernel(batchNormReluKernelNames.channelAffineRelu, { x, scale, offset, residual }) as tf.Tensor
    save([x, gamma, mean, inv, value])
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, gammaS, meanS, invS, ys] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]
        const g = runKernel(reluKernelNames.reluGrad, { dy: dy as tf.Tensor, y: ys }) as tf.Tensor
        const [sumG, sumGCentred] = runKernel(batchNormKernelNames.channelGradSums, { dy: g, x: xs, center: meanS }) as [tf.Tensor, tf.Tensor]
        const sumGXhat = tf.mul(invS, sumGCentred)
        const { a, k, c } = gradCoefficients(gammaS, invS, meanS, sumG, sumGXhat, xs.size / xs.shape[3]!)
        const dx = runKernel(batchNormKernelNames.channelAffineGrad, { dy: g, x: xs, a, k, c }) as tf.Tensor
        return [dx, sumGXhat, sumG, g]
      }
    }
  })

/**
 * `relu(batchNorm(x) + residual)` (`residual` optional, x's shape): the batch norm of
 * `batchNorm` followed by a ReLU, as a ResNet's units end. In training mode on a backend with
 * the fused kernels above, one pass forward where three ran (affine map, add, ReLU) and one
 * fewer backward; elsewhere exactly `relu(tf.add(batchNorm(...), residual))`. The same moving
 * statistics either way.
 */
export const batchNormRelu = (
  params: Params,
  state: Params,
  name: string,
  x: tf.Tensor4D,
  training: boolean,
  newState: Record<string, tf.Tensor>,
  residual?: tf.Tensor4D
): tf.Tensor4D => {
  if (!training || !hasKernels()) {
    const y = batchNorm(params, state, name, x, training, newState)
    return relu(residual === undefined ? y : tf.add<tf.Tensor4D>(y, residual))
  }
  const gamma = params[`${name}/gamma`]!
  const beta = params[`${name}/beta`]!
  const { mean, variance } = batchStatistics(state, name, x, true, newState)
  const inv = tf.rsqrt(tf.add(variance, batchNormEpsilon))
  const affine = { mean, inv, ...affineOf(gamma, beta, mean, inv) }
  const y = residual === undefined ? normaliseReluFused(affine)(x, gamma, beta) : normaliseAddReluFused(affine)(x, gamma, beta, residual)
  return y as tf.Tensor4D
}
