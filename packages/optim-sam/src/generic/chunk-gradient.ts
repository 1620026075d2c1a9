import * as tf from "@tensorflow/tfjs-core"
import {
  type ForwardFn,
  type Params,
  logitTerm,
  meanCrossEntropy,
  valueAndGradParams,
  valueAndGradParamsWithAux,
  zipParams
} from "@samlab/core-tensor"
import { assertLabelsInRange } from "@samlab/core-tensor/internal"
import type { CheckedSamOptions } from "../options.js"
import { perturbation } from "../perturbation.js"
import { sanerGradient } from "../saner.js"
import { logitSurrogate } from "../surrogate.js"

export interface ChunkGradient {
  readonly grad: Params
  readonly loss: tf.Scalar
  readonly state: Params | undefined
  /** SANER only: the share of coordinates in group B. */
  readonly groupBShare?: tf.Scalar
}

/**
 * One chunk's gradient for any model: pass 1 at `w` (loss, g0, logits, model state), the
 * perturbation `eps` from g0, then pass 2 by variant:
 * - sam: gradient of the chunk's mean loss at `w + eps`;
 * - lsam: `u' = u(w + eps)` from a forward pass, then the gradient at `w` of mean <u', f(x; w)>;
 * - jsam: the gradient at `w + eps` of mean <u(w), f(x; w')>;
 * - saner: SAM's gradient with group B (`0 < gs / g0 < 1`) scaled by alpha.
 * The perturbed passes' model state is dropped. Results are tracked by the enclosing tidy.
 * `checkLabels` runs inside pass 1, where the number of classes is known.
 */
export const chunkGradient = (
  o: CheckedSamOptions,
  params: Params,
  x: tf.Tensor,
  y: tf.Tensor1D,
  forward: ForwardFn,
  checkLabels?: (numClasses: number) => void
): ChunkGradient => {
  const first = valueAndGradParamsWithAux((p) => {
    const out = forward(p, x)
    checkLabels?.(out.logits.shape[1])
    return { loss: meanCrossEntropy(out.logits, y), aux: { logits: out.logits, state: out.state } }
  }, params)
  const eps = perturbation(params, first.grads, { rho: o.rho, adaptive: o.adaptive })
  const perturbed = zipParams(params, eps, (w, e) => tf.add(w, e))
  let grad: Params
  switch (o.variant) {
    case "sam":
      grad = valueAndGradParams((p) => meanCrossEntropy(forward(p, x).logits, y), perturbed).grads
      break
    case "saner": {
      const gs = valueAndGradParams((p) => meanCrossEntropy(forward(p, x).logits, y), perturbed).grads
      const s = sanerGradient(first.grads, gs, o.alpha)
      return { grad: s.grad, loss: first.value, state: first.aux.state, groupBShare: s.groupBShare }
    }
    case "lsam": {
      const uPerturbed = logitTerm(forward(perturbed, x).logits, y)
      grad = valueAndGradParams((p) => logitSurrogate(forward(p, x).logits, uPerturbed), params).grads
      break
    }
    case "jsam": {
      const u = logitTerm(first.aux.logits, y)
      grad = valueAndGradParams((p) => logitSurrogate(forward(p, x).logits, u), perturbed).grads
      break
    }
  }
  return { grad, loss: first.value, state: first.aux.state }
}

/** Labels checked once per step, on the full batch. */
export const labelChecker = (y: tf.Tensor1D, where: string) => (numClasses: number) => assertLabelsInRange(y, numClasses, where)
