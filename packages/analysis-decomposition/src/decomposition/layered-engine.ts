import { type Params, keepParams, valueAndGradParamsWithAux } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { logitTermHost } from "../stats/logits.js"
import type { PassRequest, PassResult, PerExampleEngine } from "./engine.js"
import { type LayerFactors, layerOutputShapes, viewForward } from "./view/forward.js"
import { im2col } from "./view/im2col.js"
import { layerFactors, layerSqNorms } from "./view/per-example.js"
import { type SequentialView, paramNamesOf, paramOps } from "./view/types.js"

const probeKey = (layer: string): string => `probe:${layer}`

/**
 * Per-example gradient norms of a sequential view in one batched forward and backward pass:
 * a zero probe added to each measured layer's output gives the back-propagated signal d_i of
 * every example at once (examples do not interact in the forward pass), and the layer input
 * a_i comes from the same forward. Dense layers then cost two row norms; convs one batched
 * matmul patches(a_i)^T d_i. Parameter gradients are only taken when asked for.
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
      const probed = ops.filter((op) => req.keepFactors || measuredLayers.includes(op.layer))
      const shapes = layerOutputShapes(view, b)
      const probes: Record<string, tf.Tensor> = {}
      for (const op of probed) probes[probeKey(op.layer)] = tf.zeros(shapes[op.layer]!)
      const weightNames = ops.flatMap(paramNamesOf)
      const differentiated: Params = req.wantGradient ? { ...probes, ...Object.fromEntries(weightNames.map((n) => [n, req.weights[n]!])) } : probes
      let logits: Float32Array | undefined
      let coefficients: Float64Array | undefined
      try {
        const { value, grads, aux } = valueAndGradParamsWithAux((p) => {
          const weights = req.wantGradient ? p : req.weights
          const inputs: Record<string, tf.Tensor> = {}
          const out = viewForward(view, weights, req.x, {
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
        }, differentiated)
        try {
          const order: string[] = []
          const post = tf.tidy(() => {
            const factors: Record<string, LayerFactors> = {}
            const sq: tf.Tensor1D[] = []
            const measuredHere: string[] = []
            for (const op of probed) {
              let patches = req.patchCache?.get(op.layer)
              if (op.kind === "conv" && !patches) {
                patches = im2col(aux[op.layer] as tf.Tensor4D, op.size, op.stride)
                if (req.patchCache) req.patchCache.set(op.layer, tf.keep(patches))
              }
              const f = layerFactors(op, aux[op.layer]!, grads[probeKey(op.layer)]!, patches)
              sq.push(layerSqNorms(op, f))
              measuredHere.push(op.layer)
              // Dense factors are the pass's own input and signal tensors, freed below: keep clones (shared data).
              if (req.keepFactors) factors[op.layer] = f.kind === "dense" ? { kind: "dense", a: tf.clone(f.a), d: tf.clone(f.d) } : f
            }
            order.push(...measuredHere)
            const stacked = sq.length > 0 ? tf.stack(sq) : tf.zeros([0, b])
            return { stacked, factors: req.keepFactors ? factors : {} } as unknown as tf.TensorContainer
          }) as unknown as { stacked: tf.Tensor2D; factors: Record<string, LayerFactors> }
          const host = post.stacked.dataSync()
          post.stacked.dispose()
          const layerSq: Record<string, Float64Array> = {}
          order.forEach((l, i) => (layerSq[l] = Float64Array.from(host.subarray(i * b, (i + 1) * b))))
          const gradient = req.wantGradient ? keepParams(Object.fromEntries(weightNames.map((n) => [n, grads[n]!]))) : undefined
          return {
            logits: logits!,
            coefficients: coefficients!,
            layerSqNorms: layerSq,
            ...(gradient ? { gradient } : {}),
            ...(req.keepFactors ? { factors: post.factors } : {})
          }
        } finally {
          value.dispose()
          for (const [name, g] of Object.entries(grads)) if (!(req.wantGradient && weightNames.includes(name))) g.dispose()
          for (const t of Object.values(aux)) t.dispose()
        }
      } finally {
        for (const t of Object.values(probes)) t.dispose()
      }
    }
  }
}
