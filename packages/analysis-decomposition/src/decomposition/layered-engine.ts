import { valueAndGradParamsWithAux } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { logitTermHost } from "../stats/logits.js"
import type { PassRequest, PassResult, PerExampleEngine } from "./engine.js"
import { type LayerFactors, layerOutputShapes, viewForward } from "./view/forward.js"
import { layerOutputs } from "./view/per-example.js"
import { type SequentialView, paramNamesOf, paramOps } from "./view/types.js"

const probeKey = (layer: string): string => `probe:${layer}`

/**
 * Per-example gradient norms of a sequential view in one batched forward and backward pass:
 * a zero probe added to each layer's output gives the back-propagated signal d_i of every
 * example at once (examples do not interact in the forward pass), and the layer input a_i
 * comes from the same forward. Dense layers then cost two row norms; convs one batched matmul
 * patches(a_i)^T d_i (or a Gram identity). The batch gradient, when asked for, is summed from
 * the same per-example quantities: the backward pass never computes parameter gradients.
 */
export const layeredEngine = (view: SequentialView, numClasses: number, measured?: readonly string[]): PerExampleEngine => {
  const ops = paramOps(view)
  const layers = ops.map((op) => op.layer)
  const measuredLayers = measured ?? layers
  return {
    kind: "layered",
    layers,
    measured: measuredLayers,
    numClasses,
    pass: (req: PassRequest): PassResult => {
      const b = req.labels.length
      const k = numClasses
      // Every layer is probed when the batch gradient or the factors are wanted: both come from the per-example quantities.
      const probed = ops.filter((op) => req.keepFactors || req.wantGradient || measuredLayers.includes(op.layer))
      const shapes = layerOutputShapes(view, b)
      const probes: Record<string, tf.Tensor> = {}
      for (const op of probed) probes[probeKey(op.layer)] = tf.zeros(shapes[op.layer]!)
      let logits: Float32Array | undefined
      let coefficients: Float64Array | undefined
      try {
        const { value, grads, aux } = valueAndGradParamsWithAux((p) => {
          const inputs: Record<string, tf.Tensor> = {}
          const out = viewForward(view, req.weights, req.x, {
            probes: Object.fromEntries(probed.map((op) => [op.layer, p[probeKey(op.layer)]!])),
            ...(req.perturbation ? { perturbation: req.perturbation } : {}),
            onLayerInput: (layer, a) => {
              if (probes[probeKey(layer)]) inputs[layer] = a
            }
          })
          logits = Float32Array.from(out.logits.dataSync() as Float32Array)
          coefficients = req.coefficients === "own" ? logitTermHost(logits, req.labels, k) : req.coefficients
          // The coefficients enter as a constant (a fresh tensor from host values), so no gradient flows through them.
          const c = tf.tensor2d(Float32Array.from(coefficients), [b, k])
          return { loss: tf.sum(tf.mul(out.logits, c)) as tf.Scalar, aux: inputs }
        }, probes)
        try {
          const normed: string[] = []
          const post = tf.tidy(() => {
            const factors: Record<string, LayerFactors> = {}
            const gradient: Record<string, tf.Tensor> = {}
            const sq: tf.Tensor1D[] = []
            for (const op of probed) {
              const wants = {
                norms: req.keepFactors === true || measuredLayers.includes(op.layer),
                factors: req.keepFactors === true,
                gradient: req.wantGradient
              }
              const o = layerOutputs(op, aux[op.layer]!, grads[probeKey(op.layer)]!, wants, req.patchCache)
              if (o.sqNorms) {
                sq.push(o.sqNorms)
                normed.push(op.layer)
              }
              if (o.factors) factors[op.layer] = o.factors
              if (o.gradient) Object.assign(gradient, o.gradient)
            }
            const stacked = sq.length > 0 ? tf.stack(sq) : tf.zeros([0, b])
            return { stacked, factors, gradient } as unknown as tf.TensorContainer
          }) as unknown as { stacked: tf.Tensor2D; factors: Record<string, LayerFactors>; gradient: Record<string, tf.Tensor> }
          const host = post.stacked.dataSync()
          post.stacked.dispose()
          const layerSq: Record<string, Float64Array> = {}
          normed.forEach((l, i) => (layerSq[l] = Float64Array.from(host.subarray(i * b, (i + 1) * b))))
          // In the model's own parameter order.
          const gradient = req.wantGradient ? Object.fromEntries(ops.flatMap(paramNamesOf).map((n) => [n, post.gradient[n]!])) : undefined
          return {
            logits: logits!,
            coefficients: coefficients!,
            layerSqNorms: layerSq,
            ...(gradient ? { gradient } : {}),
            ...(req.keepFactors ? { factors: post.factors } : {})
          }
        } finally {
          value.dispose()
          for (const g of Object.values(grads)) g.dispose()
          for (const t of Object.values(aux)) t.dispose()
        }
      } finally {
        for (const t of Object.values(probes)) t.dispose()
      }
    }
  }
}
