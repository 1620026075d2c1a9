import * as tf from "@tensorflow/tfjs-core"
import {
  type Batch,
  type GradientEstimate,
  type Params,
  logitTerm,
  meanCrossEntropy,
  stopGradient,
  valueAndGradParams,
  valueAndGradParamsWithAux
} from "@samlab/core-tensor"
import { assertLabelsInRange } from "@samlab/core-tensor/internal"
import { batchedVariantGradient } from "../batched-variant.js"
import { denseNormSquared, scalesFromNormSquared } from "../dense/chunk-scale.js"
import { denseCorrection } from "../dense/perturbed-forward.js"
import type { CheckedSamOptions } from "../options.js"
import { type ConvChunkGradient, convChunkGradient, convCorrection, convNormSquared } from "./chunk-gradient.js"
import { convStackInput, convStackLogits, preActivationShapes } from "./forward.js"
import { type ConvStack, convStackLayers } from "./structure.js"

interface FirstPass {
  readonly logits: tf.Tensor2D
  /** Each linear layer's input at w, in tap order. */
  readonly inputs: tf.Tensor[]
}

const probeName = (l: number) => `layer_${l}`

/**
 * The method gradient of a conv stack for any chunk size, batched. Pass 1 at w gives the
 * logits, every linear layer's input and, as the gradient of `sum_i <stopgrad(u_i), f_i>` in
 * zero probes added to the pre-activations, every example's own signal `delta_i` (examples do
 * not interact, so the summed objective's gradient in example i's pre-activation is example
 * i's). Per chunk: a convolution's gradient is formed (`convChunkGradient`), a dense layer's
 * stays an outer product (`denseNormSquared`); their norms give the scales `s_c`. Then one
 * batched pass in which every example sees its own chunk's `w + eps_c` through per-layer
 * corrections (sam, jsam: forward+backward; lsam: forward, then a backward at w). About
 * twice a SAM step's arithmetic, for any number of chunks; same numbers as the chunk loop.
 */
export const convMethodGradient = (o: CheckedSamOptions, stack: ConvStack, params: Params, batch: Batch, chunks: number, where: string): GradientEstimate =>
  tf.tidy(() => {
    const net = convStackLayers(stack, params, where)
    const x = convStackInput(batch.x, stack, where)
    const probes: Params = Object.fromEntries(preActivationShapes(net, x).map((shape, l) => [probeName(l), tf.zeros(shape)]))
    const first = valueAndGradParamsWithAux<FirstPass>((probe) => {
      const inputs: tf.Tensor[] = []
      const logits = convStackLogits(stack, net, params, x, where, (l, h, z) => {
        inputs[l] = h
        return tf.add(z, probe[probeName(l)]!)
      })
      assertLabelsInRange(batch.y, logits.shape[1], where)
      return { loss: tf.sum(tf.mul(logits, stopGradient(logitTerm(logits, batch.y)))), aux: { logits, inputs } }
    }, probes)
    const { logits, inputs } = first.aux
    const deltas = Object.keys(probes).map((k) => first.grads[k]!)
    const u = logitTerm(logits, batch.y)
    const m = batch.x.shape[0]! / chunks
    const convGrads: ConvChunkGradient[] = net.convs.map((c, l) => convChunkGradient(c, inputs[l] as tf.Tensor4D, deltas[l] as tf.Tensor4D, chunks))
    const denseAt = (i: number) => net.convs.length + i
    const normSquared = tf.addN([
      ...convGrads.map(convNormSquared),
      ...net.dense.map((d, i) =>
        tf.div(denseNormSquared(inputs[denseAt(i)] as tf.Tensor2D, deltas[denseAt(i)] as tf.Tensor2D, d.bias !== undefined, chunks), m * m)
      )
    ]) as tf.Tensor1D
    const scales = scalesFromNormSquared(normSquared, o.rho)
    const perturbedLogits = (p: Params) =>
      convStackLogits(stack, net, p, x, where, (l, h, z) => {
        const correction =
          l < net.convs.length
            ? convCorrection(net.convs[l]!, h as tf.Tensor4D, convGrads[l]!, scales)
            : denseCorrection(h as tf.Tensor2D, inputs[l] as tf.Tensor2D, deltas[l] as tf.Tensor2D, net.dense[l - net.convs.length]!.bias !== undefined, scales)
        return tf.add(z, correction)
      })
    const gradAtW = (cotangent: tf.Tensor2D) => valueAndGradParams((p) => tf.sum(tf.mul(convStackLogits(stack, net, p, x, where), cotangent)), params).grads
    const grads = batchedVariantGradient(o.variant, { perturbedLogits, gradAtW }, params, batch.y, u, where)
    return { grads, loss: meanCrossEntropy(logits, batch.y), modelState: undefined } as unknown as tf.TensorContainer
  }) as unknown as GradientEstimate
