import * as tf from "@tensorflow/tfjs-core"
import { type Batch, type GradientEstimate, type Params, logitTerm, meanCrossEntropy } from "@samlab/core-tensor"
import { assertLabelsInRange } from "@samlab/core-tensor/internal"
import { batchedVariantGradient } from "../batched-variant.js"
import type { CheckedSamOptions } from "../options.js"
import { denseDeltas, gradsFromDeltas } from "./backward.js"
import { chunkScales } from "./chunk-scale.js"
import { denseForward } from "./forward.js"
import { perturbedDenseLogits } from "./perturbed-forward.js"
import { type DenseLayer, type DenseStack, denseLayers } from "./structure.js"

/**
 * The method gradient of a dense stack for any chunk size, batched: one forward pass at w
 * with per-example signals (a backward pass without weight gradients), per-chunk scales
 * from Gram products, then one perturbed forward+backward pass for every chunk at once
 * (sam, jsam) or one perturbed forward plus one backward at w (lsam). Same numbers as the
 * chunk loop, at about the cost of whole-batch SAM.
 */
export const denseMethodGradient = (o: CheckedSamOptions, stack: DenseStack, params: Params, batch: Batch, chunks: number, where: string): GradientEstimate =>
  tf.tidy(() => {
    const layers = denseLayers(stack, params, where)
    const batchSize = batch.x.shape[0]!
    const x = tf.reshape(batch.x, [batchSize, -1]) as tf.Tensor2D
    const { activation, hiddenActivation } = stack
    const cache = denseForward(layers, x, activation, hiddenActivation)
    assertLabelsInRange(batch.y, cache.logits.shape[1], where)
    const loss = meanCrossEntropy(cache.logits, batch.y)
    const u = logitTerm(cache.logits, batch.y)
    const deltas = denseDeltas(layers, cache, u, activation, hiddenActivation)
    const scales = chunkScales(layers, cache, deltas, chunks, o.rho)
    const grads = batchedVariantGradient(
      o.variant,
      {
        perturbedLogits: (p) =>
          perturbedDenseLogits(
            layers.map((l): DenseLayer => ({
              name: l.name,
              kernel: p[`${l.name}/kernel`] as tf.Tensor2D,
              bias: l.bias && (p[`${l.name}/bias`] as tf.Tensor1D)
            })),
            x,
            cache,
            deltas,
            scales,
            activation,
            hiddenActivation
          ),
        gradAtW: (cotangent) => gradsFromDeltas(layers, cache, denseDeltas(layers, cache, cotangent, activation, hiddenActivation), params)
      },
      params,
      batch.y,
      u,
      where
    )
    return { grads, loss, modelState: undefined } as unknown as tf.TensorContainer
  }) as unknown as GradientEstimate
