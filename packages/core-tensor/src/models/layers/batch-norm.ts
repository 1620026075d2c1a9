import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../../params/params.js"
import { ModelInputError } from "../errors.js"

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

/**
 * Batch normalisation of an NHWC batch over (batch, height, width), per channel.
 * Training: normalises with the batch mean and biased batch variance, and writes into
 * `newState` running = (1 - 0.1) running + 0.1 batch, the variance term being the unbiased
 * batch variance (n / (n - 1), n = batch * h * w), as PyTorch does. (No loss depends on
 * the new state, so no gradient flows through it.) Evaluation: normalises with the moving
 * statistics, so each example's output depends on that example only.
 */
export const batchNorm = (
  params: Params,
  state: Params,
  name: string,
  x: tf.Tensor4D,
  training: boolean,
  newState: Record<string, tf.Tensor>
): tf.Tensor4D => {
  const gamma = params[`${name}/gamma`]!
  const beta = params[`${name}/beta`]!
  const movingMean = state[`${name}/moving_mean`]!
  const movingVar = state[`${name}/moving_var`]!
  if (!training) return normalise(x, movingMean, movingVar, gamma, beta)
  const { mean, variance } = tf.moments(x, [0, 1, 2])
  const n = x.shape[0] * x.shape[1] * x.shape[2]
  // As PyTorch: the unbiased variance needs two values per channel.
  if (n < 2) throw new ModelInputError(`batch norm "${name}"`, "more than one value per channel in training mode", x.shape)
  const m = batchNormMomentum
  newState[`${name}/moving_mean`] = tf.add(tf.mul(movingMean, 1 - m), tf.mul(mean, m))
  newState[`${name}/moving_var`] = tf.add(tf.mul(movingVar, 1 - m), tf.mul(variance, (m * n) / (n - 1)))
  return normalise(x, mean, variance, gamma, beta)
}

const normalise = (x: tf.Tensor4D, mean: tf.Tensor, variance: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D =>
  tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, batchNormEpsilon))), gamma), beta)
