import * as tf from "@tensorflow/tfjs-core"
import { backendHasKernels, runOwnKernel } from "../../backend/own-kernels.js"
import type { Params } from "../../params/params.js"
import { ModelInputError } from "../errors.js"
import { reluKernelNames } from "./relu.js"

/** PyTorch's BatchNorm2d defaults. */
export const batchNormMomentum = 0.1
export const batchNormEpsilon = 1e-5

/** Trainable `name/gamma` (ones) and `name/beta` (zeros), [channels] each. */
export const batchNormInit = (name: string, channels: number): Record<string, tf.Tensor> => ({
  [`${name}/gamma`]: tf.ones([channels]),
  [`${name}/beta`]: tf.zeros([channels])
})

export const batchNormShapes = (name: string, channels: number): Array<readonly [string, readonly number[]]> => [
  [`${name}/gamma`, [channels]],
  [`${name}/beta`, [channels]]
]

/** Non-trainable `name/moving_mean` (zeros) and `name/moving_var` (ones). */
export const batchNormInitState = (name: string, channels: number): Record<string, tf.Tensor> => ({
  [`${name}/moving_mean`]: tf.zeros([channels]),
  [`${name}/moving_var`]: tf.ones([channels])
})

export const batchNormStateShapes = (name: string, channels: number): Array<readonly [string, readonly number[]]> => [
  [`${name}/moving_mean`, [channels]],
  [`${name}/moving_var`, [channels]]
]

/** Per-channel `x scale + offset` of the normalisation: scale = gamma inv, offset = beta - mean scale. */
const affineOf = (gamma: tf.Tensor, beta: tf.Tensor, mean: tf.Tensor, inv: tf.Tensor): { scale: tf.Tensor; offset: tf.Tensor } => {
  const scale = tf.mul(gamma, inv)
  return { scale, offset: tf.sub(beta, tf.mul(mean, scale)) }
}

/**
 * The closed-form dx = a dy - k x + c per channel: a = gamma inv, k = gamma inv^2 sum(dy xhat) / M,
 * c = k mean - a sum(dy) / M (M values per channel).
 */
const gradCoefficients = (gamma: tf.Tensor, inv: tf.Tensor, mean: tf.Tensor, sumDy: tf.Tensor, sumDyXhat: tf.Tensor, count: number) => {
  const a = tf.mul(gamma, inv)
  const k = tf.div(tf.mul(tf.mul(a, inv), sumDyXhat), count)
  return { a, k, c: tf.sub(tf.mul(k, mean), tf.div(tf.mul(a, sumDy), count)) }
}

/**
 * The full-size passes of training-mode batch norm over the last (channel) axis, with
 * per-channel [C] operands: the affine map x scale + offset; the sums sum(dy) and
 * sum(dy (x - center)) over the other axes; and the closed-form input gradient dy a - x k + c.
 */
interface ChannelPasses {
  affine(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor): tf.Tensor
  gradSums(dy: tf.Tensor, x: tf.Tensor, center: tf.Tensor): [tf.Tensor, tf.Tensor]
  affineGrad(dy: tf.Tensor, x: tf.Tensor, a: tf.Tensor, k: tf.Tensor, c: tf.Tensor): tf.Tensor
}

const channelAxes = [0, 1, 2]

/** The passes as tfjs ops, on any backend. */
const passesAsOps: ChannelPasses = {
  affine: (x, scale, offset) => tf.add(tf.mul(x, scale), offset),
  gradSums: (dy, x, center) => {
    const sumDy = tf.sum(dy, channelAxes)
    // sum(dy (x - center)) = sum(dy x) - center sum(dy)
    return [sumDy, tf.sub(tf.sum(tf.mul(dy, x), channelAxes), tf.mul(center, sumDy))]
  },
  affineGrad: (dy, x, a, k, c) => tf.add(tf.sub(tf.mul(dy, a), tf.mul(x, k)), c)
}

/**
 * Kernels that backends may provide for batch normalisation over the last (channel) axis, by
 * name (@samlab/tfjs-backend-native registers them for "native"): one pass each over the
 * full-size tensors. {x} -> [mean, biased variance]; {x, scale, offset} -> x scale + offset;
 * {dy, x, center} -> [sum(dy), sum(dy (x - center))] (the centred sum in double);
 * {dy, x, a, k, c} -> dy a - x k + c. Where any is missing the layer runs the tfjs ops instead.
 */
export const batchNormKernelNames = {
  channelMoments: "SamlabChannelMoments",
  channelAffine: "SamlabChannelAffine",
  channelGradSums: "SamlabChannelGradSums",
  channelAffineGrad: "SamlabChannelAffineGrad"
} as const

/** The passes on the backend's kernels. */
const passesOnKernels: ChannelPasses = {
  affine: (x, scale, offset) => runOwnKernel(batchNormKernelNames.channelAffine, { x, scale, offset }) as tf.Tensor,
  gradSums: (dy, x, center) => runOwnKernel(batchNormKernelNames.channelGradSums, { dy, x, center }) as [tf.Tensor, tf.Tensor],
  affineGrad: (dy, x, a, k, c) => runOwnKernel(batchNormKernelNames.channelAffineGrad, { dy, x, a, k, c }) as tf.Tensor
}

/** True when the active backend registers every batch-norm kernel (checked per call: backends change). */
const hasFusedKernels = (): boolean => backendHasKernels(...Object.values(batchNormKernelNames))

/**
 * Training-mode normalisation `y = gamma (x - mean) / sqrt(var + eps) + beta` with the batch's
 * `mean` and biased `variance` (computed by the caller, who also needs them for the moving
 * statistics), as one affine map per channel, and its gradient in closed form: with
 * xhat = (x - mean) inv, inv = 1/sqrt(var + eps) and M values per channel,
 * dx = gamma inv (dy - mean(dy) - xhat mean(dy xhat)), dgamma = sum(dy xhat), dbeta = sum(dy).
 * The closed form costs three full-size passes where differentiating through the moments and
 * the broadcasts costs about twenty. The statistics come in by closure, not as inputs, so the
 * moments that made them are off the gradient's path (this gradient already accounts for
 * them): pushing zeros back through them cost, per layer, two full-size ones tensors that
 * tfjs's Mean gradient fills on the host (on webgpu most of a ResNet-18 step's host time).
 */
const normaliseBatch = (passes: ChannelPasses, mean: tf.Tensor, variance: tf.Tensor) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    // tfjs passes the inputs, then the save function (its typing cannot say so)
    const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    const { scale, offset } = affineOf(gamma, beta, mean, tf.rsqrt(tf.add(variance, batchNormEpsilon)))
    const value = passes.affine(x, scale, offset)
    // inv is recomputed (C values) rather than saved: a saved intermediate outlives the
    // forward's tidy, which tfjs's kernel leak check (IS_TEST) counts as a leak.
    save([x, gamma, mean, variance])
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor
        const [xs, gammaS, meanS, varianceS] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]
        const invS = tf.rsqrt(tf.add(varianceS, batchNormEpsilon))
        const count = xs.size / xs.shape[3]!
        // sum(dy xhat) = inv sum(dy (x - mean))
        const [sumDy, sumDyCentred] = passes.gradSums(g, xs, meanS)
        const sumDyXhat = tf.mul(invS, sumDyCentred)
        const { a, k, c } = gradCoefficients(gammaS, invS, meanS, sumDy, sumDyXhat, count)
        return [passes.affineGrad(g, xs, a, k, c), sumDyXhat, sumDy]
      }
    }
  })

/**
 * Batch normalisation of an NHWC batch over (batch, height, width), per channel.
 * Training: normalises with the batch mean and biased batch variance, and writes into
 * `newState` running = (1 - 0.1) running + 0.1 batch, the variance term being the unbiased
 * batch variance (n / (n - 1), n = batch * h * w), as PyTorch does. (No loss depends on
 * the new state, so no gradient flows through it.) Evaluation: normalises with the moving
 * statistics, so each example's output depends on that example only.
 */
export const batchNorm = (params: Params, state: Params, name: string, x: tf.Tensor4D, training: boolean, newState: Record<string, tf.Tensor>): tf.Tensor4D => {
  const gamma = params[`${name}/gamma`]!
  const beta = params[`${name}/beta`]!
  const movingMean = state[`${name}/moving_mean`]!
  const movingVar = state[`${name}/moving_var`]!
  const fused = hasFusedKernels()
  if (!training) return fused ? normaliseFused(x, movingMean, movingVar, gamma, beta) : normalise(x, movingMean, movingVar, gamma, beta)
  if (hasTrainKernels()) return batchNormOnTrainKernels(params, state, name, x, newState, false)
  const { mean, variance } = batchStatistics(state, name, x, fused, newState)
  return normaliseBatch(fused ? passesOnKernels : passesAsOps, mean, variance)(x, gamma, beta) as tf.Tensor4D
}

/**
 * Training mode's batch mean and biased variance of x per channel (on the moments kernel when
 * `fused`), with the moving statistics they give written into `newState` (see `batchNorm`).
 */
const batchStatistics = (
  state: Params,
  name: string,
  x: tf.Tensor4D,
  fused: boolean,
  newState: Record<string, tf.Tensor>
): { mean: tf.Tensor; variance: tf.Tensor } => {
  const n = valuesPerChannel(name, x)
  const { mean, variance } = fused ? fusedMoments(x) : tf.moments(x, [0, 1, 2])
  const m = batchNormMomentum
  newState[`${name}/moving_mean`] = tf.add(tf.mul(state[`${name}/moving_mean`]!, 1 - m), tf.mul(mean, m))
  newState[`${name}/moving_var`] = tf.add(tf.mul(state[`${name}/moving_var`]!, 1 - m), tf.mul(variance, (m * n) / (n - 1)))
  return { mean, variance }
}

/** Values per channel in x (batch x height x width), at least two: as PyTorch, training mode's unbiased variance needs them. */
const valuesPerChannel = (name: string, x: tf.Tensor4D): number => {
  const n = x.shape[0] * x.shape[1] * x.shape[2]
  if (n < 2) throw new ModelInputError(`batch norm "${name}"`, "more than one value per channel in training mode", x.shape)
  return n
}

const fusedMoments = (x: tf.Tensor4D): { mean: tf.Tensor; variance: tf.Tensor } => {
  const [mean, variance] = runOwnKernel(batchNormKernelNames.channelMoments, { x }) as [tf.Tensor, tf.Tensor]
  return { mean, variance }
}

/** `normalise` as one pass: x scale + (beta - mean scale), scale = gamma / sqrt(var + eps) (differentiable: the kernel has a gradient). */
const normaliseFused = (x: tf.Tensor4D, mean: tf.Tensor, variance: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D =>
  tf.tidy(() => {
    const { scale, offset } = affineOf(gamma, beta, mean, tf.rsqrt(tf.add(variance, batchNormEpsilon)))
    return passesOnKernels.affine(x, scale, offset) as tf.Tensor4D
  })

const normalise = (x: tf.Tensor4D, mean: tf.Tensor, variance: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D =>
  tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, batchNormEpsilon))), gamma), beta)

/**
 * Kernels that backends may provide for training-mode batch norm as two calls (the
 * per-channel arithmetic between their passes done in the backend, where the ops above take
 * a few dozen small calls per layer and step; @samlab/tfjs-backend-native registers them):
 * {x, gamma, beta, movingMean, movingVar, residual?} with attrs {relu, epsilon, momentum} ->
 * [relu?(normalised x + residual), batch mean, biased batch variance, new moving mean, new
 * moving var]; {dy, x, gamma, beta, mean, variance} with {relu, epsilon} -> [dx, dgamma, dbeta]
 * (no residual; with relu the mask is read from x). Where either is missing, the kernels or
 * ops above run.
 */
export const batchNormTrainKernelNames = {
  batchNormTrain: "SamlabBatchNormTrain",
  batchNormTrainGrad: "SamlabBatchNormTrainGrad"
} as const

/** True when the active backend registers both training kernels (checked per call: backends change). */
export const hasTrainKernels = (): boolean => backendHasKernels(...Object.values(batchNormTrainKernelNames))

/**
 * Training-mode `relu?(batch norm of x + residual)` on the training kernels: the forward
 * kernel runs outside the custom gradient (its batch and moving statistics are not on the
 * gradient's path), the custom gradient passes its output on (a clone) and calls the
 * backward kernel. With a residual (relu only; the backend must also have SamlabReluGrad) the
 * ReLU's gradient g = dy step(y) is taken first, in one pass; g is also the residual's gradient.
 */
export const batchNormOnTrainKernels = (
  params: Params,
  state: Params,
  name: string,
  x: tf.Tensor4D,
  newState: Record<string, tf.Tensor>,
  relu: boolean,
  residual?: tf.Tensor4D
): tf.Tensor4D => {
  valuesPerChannel(name, x)
  const gamma = params[`${name}/gamma`]!
  const beta = params[`${name}/beta`]!
  const inputs: tf.NamedTensorMap = { x, gamma, beta, movingMean: state[`${name}/moving_mean`]!, movingVar: state[`${name}/moving_var`]! }
  if (residual) inputs["residual"] = residual
  const [y, mean, variance, movingMean, movingVar] = runOwnKernel(batchNormTrainKernelNames.batchNormTrain, inputs, {
    relu,
    epsilon: batchNormEpsilon,
    momentum: batchNormMomentum
  }) as tf.Tensor[]
  newState[`${name}/moving_mean`] = movingMean!
  newState[`${name}/moving_var`] = movingVar!
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, gammaI, betaI] = args as [tf.Tensor, tf.Tensor, tf.Tensor]
    const save = args[args.length - 1] as tf.GradSaveFunc
    const value = tf.clone(y!)
    save([xi, gammaI, betaI, mean!, variance!, value])
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, gammaS, betaS, meanS, varianceS, ys] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]
        const g = residual === undefined ? (dy as tf.Tensor) : (runOwnKernel(reluKernelNames.reluGrad, { dy: dy as tf.Tensor, y: ys }) as tf.Tensor)
        const inputs = { dy: g, x: xs, gamma: gammaS, beta: betaS, mean: meanS, variance: varianceS }
        // with a residual the ReLU's mask is already in g
        const grads = runOwnKernel(batchNormTrainKernelNames.batchNormTrainGrad, inputs, {
          relu: relu && residual === undefined,
          epsilon: batchNormEpsilon
        }) as tf.Tensor[]
        return residual === undefined ? grads : [...grads, g]
      }
    }
  })
  return (residual === undefined ? f(x, gamma, beta) : f(x, gamma, beta, residual)) as tf.Tensor4D
}
