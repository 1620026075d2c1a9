import { type Model, type Params, disposeParams, keepParams, valueAndGradParamsWithAux } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { UnsupportedModelError } from "../errors.js"
import { logitTermHost } from "../stats/logits.js"
import type { PassRequest, PassResult, PerExampleEngine } from "./engine.js"

/** A parameter's layer: its name without the last path segment (`stage1/block0/conv1/kernel` -> `stage1/block0/conv1`). */
export const layerOfParam = (name: string): string => {
  const cut = name.lastIndexOf("/")
  return cut > 0 ? name.slice(0, cut) : name
}

/** The layers of a parameter set, in the order their first parameter appears. */
export const layersOfParams = (params: Params): string[] => [...new Set(Object.keys(params).map(layerOfParam))]

/**
 * Per-example gradient norms of any model by a loop: one forward and backward pass of
 * `model.apply` (evaluation mode) per example. Exact for every model (batch norm uses its
 * moving statistics, so examples are independent); costs b passes of batch 1 per call.
 */
export const loopEngine = (model: Model, params: Params, state: Params, measured?: readonly string[]): PerExampleEngine => {
  const layers = layersOfParams(params)
  const measuredLayers = measured ?? layers
  const k = model.numClasses
  return {
    kind: "loop",
    layers,
    measured: measuredLayers,
    numClasses: k,
    pass: (req: PassRequest): PassResult => {
      if (req.perturbation || req.keepFactors)
        throw new UnsupportedModelError(model.name, "the loop engine takes no per-example perturbation (use chunks of one example)")
      const b = req.labels.length
      const logits = new Float32Array(b * k)
      const coefficients = new Float64Array(b * k)
      const layerSq: Record<string, Float64Array> = Object.fromEntries(measuredLayers.map((l) => [l, new Float64Array(b)]))
      const names = Object.keys(req.weights)
      let gradient: Params | undefined
      try {
        for (let i = 0; i < b; i++) {
          const xi = tf.slice(req.x, i, 1)
          try {
            const { value, grads } = valueAndGradParamsWithAux((p) => {
              const out = model.apply(p, xi, { training: false, state })
              const row = out.logits.dataSync() as Float32Array
              logits.set(row, i * k)
              const c = req.coefficients === "own" ? logitTermHost(row, req.labels.subarray(i, i + 1), k) : req.coefficients.subarray(i * k, (i + 1) * k)
              coefficients.set(c, i * k)
              return { loss: tf.sum(tf.mul(out.logits, tf.tensor2d(Float32Array.from(c), [1, k]))) as tf.Scalar, aux: undefined }
            }, req.weights)
            try {
              const sq = tf.tidy(() =>
                tf.stack(measuredLayers.map((l) => tf.addN(names.filter((n) => layerOfParam(n) === l).map((n) => tf.sum(tf.square(grads[n]!))))))
              )
              const host = sq.dataSync()
              sq.dispose()
              measuredLayers.forEach((l, j) => (layerSq[l]![i] = host[j]!))
              if (req.wantGradient) {
                const previous = gradient
                gradient = previous
                  ? keepParams(tf.tidy(() => Object.fromEntries(names.map((n) => [n, tf.add(previous[n]!, grads[n]!)]))))
                  : keepParams(Object.fromEntries(names.map((n) => [n, tf.clone(grads[n]!)])))
                disposeParams(previous)
              }
            } finally {
              value.dispose()
              disposeParams(grads)
            }
          } finally {
            xi.dispose()
          }
        }
      } catch (e) {
        disposeParams(gradient)
        throw e
      }
      return { logits, coefficients, layerSqNorms: layerSq, ...(gradient ? { gradient } : {}) }
    }
  }
}
