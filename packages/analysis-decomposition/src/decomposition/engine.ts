import type { Params } from "@samlab/core-tensor"
import type * as tf from "@tensorflow/tfjs-core"
import type { LayerFactors, PerExamplePerturbation } from "./view/forward.js"
import type { PatchCache } from "./view/per-example.js"

/**
 * The constant coefficient rows c_i of the surrogate sum_i <c_i, f(x_i; w)>, whose gradient is
 * sum_i J_i(w)^T c_i: a host array [b * k] row-major, or "own" for the logit term u_i at the
 * pass's own weights (read from the same forward pass, then held constant).
 */
export type Coefficients = Float64Array | "own"

export interface PassRequest {
  readonly x: tf.Tensor
  readonly labels: Int32Array
  /** The weights every example of the pass runs at (w, or w + eps). */
  readonly weights: Params
  readonly coefficients: Coefficients
  /** Also return sum_i J_i^T c_i over every parameter (to build a perturbation from). */
  readonly wantGradient: boolean
  /** Per-example weights w + eps_i (layered engine only). */
  readonly perturbation?: PerExamplePerturbation
  /** Return every layer's per-example gradient factors (layered engine only). */
  readonly keepFactors?: boolean
  /**
   * Conv patches of the layer inputs, shared by passes that run the same forward (same
   * examples, same weights): filled by the first, reused by the next (layered engine only).
   */
  readonly patchCache?: PatchCache
}

export interface PassResult {
  /** Logits at the pass's weights, [b * k] row-major. */
  readonly logits: Float32Array
  /** The coefficients used (the logit term, for "own"), [b * k]. */
  readonly coefficients: Float64Array
  /**
   * Per layer, each example's squared norm of J_i^T c_i restricted to that layer's parameters:
   * the measured layers, and every layer when factors were asked for.
   */
  readonly layerSqNorms: Readonly<Record<string, Float64Array>>
  /** sum_i J_i^T c_i; owned by the caller. */
  readonly gradient?: Params
  /** Per-example gradient factors of every layer; owned by the caller. */
  readonly factors?: Readonly<Record<string, LayerFactors>>
}

/** Per-example gradient norms of a model, one device pass at a time. */
export interface PerExampleEngine {
  readonly kind: "layered" | "loop"
  /** The parameterised layers whose norms `pass` reports (all, or the ones asked for). */
  readonly measured: readonly string[]
  /** Every parameterised layer, in forward order. */
  readonly layers: readonly string[]
  readonly numClasses: number
  pass(request: PassRequest): PassResult
}

/** Sum over `layers` of the per-layer squared norms: [b]. */
export const sumLayers = (sq: Readonly<Record<string, Float64Array>>, layers: readonly string[], b: number): Float64Array => {
  const out = new Float64Array(b)
  for (const l of layers) {
    const v = sq[l]
    if (!v) continue
    for (let i = 0; i < b; i++) out[i]! += v[i]!
  }
  return out
}

/** Frees factors returned by a pass. */
export const disposeFactors = (factors: Readonly<Record<string, LayerFactors>> | undefined): void => {
  if (!factors) return
  for (const f of Object.values(factors)) {
    if (f.kind === "dense") {
      f.a.dispose()
      f.d.dispose()
    } else {
      f.g.dispose()
      f.gb.dispose()
    }
  }
}
