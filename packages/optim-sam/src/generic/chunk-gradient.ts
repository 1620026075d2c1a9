import * as tf from "@tensorflow/tfjs-core"
import {
  type ForwardFn,
  type ForwardOutput,
  type LossTerm,
  type Params,
  logitTerm,
  meanCrossEntropy,
  valueAndGradParams,
  valueAndGradParamsWithAux
} from "@samlab/core-tensor"
import { assertLabelsInRange } from "@samlab/core-tensor/internal"
import type { CheckedSamOptions } from "../options.js"
import { perturbedParams } from "../perturbation.js"
import { sanerGradient } from "../saner.js"
import { logitSurrogate } from "../surrogate.js"

export interface ChunkGradient {
  readonly grad: Params
  /** Mean cross-entropy at w. */
  readonly loss: tf.Scalar
  /** The loss term at w, when there is one. */
  readonly penalty?: tf.Scalar
  readonly state: Params | undefined
  /** SANER only: the share of coordinates in group B. */
  readonly groupBShare?: tf.Scalar
}

interface FirstPassAux {
  readonly logits: tf.Tensor2D
  readonly state: Params | undefined
  readonly terms: { readonly crossEntropy: tf.Scalar; readonly penalty: tf.Scalar } | undefined
}

/**
 * One chunk's gradient for any model: pass 1 at `w` (loss, g0, logits, model state), the
 * perturbation `eps` from g0, then pass 2 by variant:
 * - sam: gradient of the chunk's mean loss at `w + eps`;
 * - lsam: `u' = u(w + eps)` from a forward pass, then the gradient at `w` of mean <u', f(x; w)>;
 * - jsam: the gradient at `w + eps` of mean <u(w), f(x; w')>;
 * - saner: SAM's gradient with group B (`0 < gs / g0 < 1`) scaled by alpha.
 * With a loss `term`, every pass's objective gets it, evaluated on that pass's output at the
 * params the pass runs at (so SAM descends `CE + term` at w + eps). The perturbed passes'
 * model state is dropped. Results are tracked by the enclosing tidy. `checkLabels` runs inside
 * pass 1, where the number of classes is known.
 */
export const chunkGradient = (
  o: CheckedSamOptions,
  params: Params,
  x: tf.Tensor,
  y: tf.Tensor1D,
  forward: ForwardFn,
  checkLabels?: (numClasses: number) => void,
  term?: LossTerm,
  where = "chunkGradient"
): ChunkGradient => {
  // without a term the objective is the plain cross-entropy: no extra op
  const plus = (value: tf.Scalar, out: ForwardOutput, p: Params): tf.Scalar => (term ? (tf.add(value, term.value(out, p, y, where)) as tf.Scalar) : value)
  const objective = (p: Params): tf.Scalar => {
    const out = forward(p, x)
    return plus(meanCrossEntropy(out.logits, y), out, p)
  }
  const first = valueAndGradParamsWithAux<FirstPassAux>((p) => {
    const out = forward(p, x)
    checkLabels?.(out.logits.shape[1])
    const crossEntropy = meanCrossEntropy(out.logits, y)
    if (!term) return { loss: crossEntropy, aux: { logits: out.logits, state: out.state, terms: undefined } }
    const penalty = term.value(out, p, y, where)
    return { loss: tf.add(crossEntropy, penalty) as tf.Scalar, aux: { logits: out.logits, state: out.state, terms: { crossEntropy, penalty } } }
  }, params)
  const atW = first.aux.terms ? { loss: first.aux.terms.crossEntropy, penalty: first.aux.terms.penalty } : { loss: first.value }
  const perturbed = perturbedParams(params, first.grads, { rho: o.rho, adaptive: o.adaptive })
  let grad: Params
  switch (o.variant) {
    case "sam":
      grad = valueAndGradParams(objective, perturbed).grads
      break
    case "saner": {
      const gs = valueAndGradParams(objective, perturbed).grads
      const s = sanerGradient(first.grads, gs, o.alpha)
      return { grad: s.grad, ...atW, state: first.aux.state, groupBShare: s.groupBShare }
    }
    case "lsam": {
      const uPerturbed = logitTerm(forward(perturbed, x).logits, y)
      grad = valueAndGradParams((p) => {
        const out = forward(p, x)
        return plus(logitSurrogate(out.logits, uPerturbed), out, p)
      }, params).grads
      break
    }
    case "jsam": {
      const u = logitTerm(first.aux.logits, y)
      grad = valueAndGradParams((p) => {
        const out = forward(p, x)
        return plus(logitSurrogate(out.logits, u), out, p)
      }, perturbed).grads
      break
    }
  }
  return { grad, ...atW, state: first.aux.state }
}

/** Labels checked once per step, on the full batch. */
export const labelChecker = (y: tf.Tensor1D, where: string) => (numClasses: number) => assertLabelsInRange(y, numClasses, where)
