import type { Params } from "@samlab/core-tensor"

/**
 * Which perturbation eps the SAM-side quantities are measured at.
 * `rho` (+ `chunkSize`): SAM's own ascent step, as the golden README fixes it: the examples are
 * cut into consecutive chunks of `chunkSize` (the last may be smaller), each chunk gets
 * eps = rho * g / (||g|| + 1e-12) from its mean gradient g at w. `chunkSize` 1 is 1-SAM
 * (every example perturbed by its own gradient); `chunkSize` = the training batch size is SAM.
 * `adaptive`: ASAM's eps = rho * w^2 g / (|| |w| g || + 1e-12) instead (optim-sam's `perturbation`).
 * `eps`: one given perturbation (e.g. the one a training step used) for every example.
 */
export type PerturbationSpec = { readonly rho: number; readonly chunkSize: number; readonly adaptive?: boolean } | { readonly eps: Params }

export interface DecomposeOptions {
  readonly perturbation: PerturbationSpec
  /** Examples per device pass (memory bound), default 128. */
  readonly batchSize?: number
  /**
   * "layered": batched per-example gradients of a sequential view of the model (linear,
   * twoLayerLinear, mlp, smallCnn); "loop": one pass per example, any model; "auto" (default):
   * layered when the model has a view that reproduces its logits, else loop.
   */
  readonly engine?: "auto" | "layered" | "loop"
  /**
   * Measure gradient norms over these layers' parameters only (layer = parameter name without
   * its last segment, e.g. "head", "dense_0", "conv_2"); default every layer. The perturbation
   * always uses the full gradient.
   */
  readonly layers?: readonly string[]
  /** Non-trainable model state (batch-norm moving statistics); evaluation mode is used throughout. */
  readonly state?: Params
}

/**
 * Per-example decomposition of SAM's gradient, each array of length n in example order.
 * With g_i(a, b) = J_i(w + a)^T u_i(w + b) (J_i the Jacobian of example i's logits in the
 * measured parameters, u_i = softmax - onehot the logit term):
 * gradNorm = ||g_i(0, 0)||, samGradNorm = ||g_i(eps, eps)||, logitFactor = ||g_i(0, eps)|| / gradNorm,
 * jacobianFactor = ||g_i(eps, 0)|| / gradNorm, samFactor = samGradNorm / gradNorm.
 */
export interface ExampleDecomposition {
  readonly n: number
  readonly engine: "layered" | "loop"
  readonly measuredLayers: readonly string[]
  /** Cross-entropy at w against the given labels. */
  readonly loss: Float64Array
  /** Cross-entropy at w + eps. */
  readonly perturbedLoss: Float64Array
  /** 1 where the arg-max at w is the given label. */
  readonly correct: Uint8Array
  /** ||u_i(w)|| */
  readonly logitTermNorm: Float64Array
  /** ||u_i(w + eps)|| */
  readonly perturbedLogitTermNorm: Float64Array
  readonly gradNorm: Float64Array
  readonly samGradNorm: Float64Array
  /** ||J_i(w)^T u_i(w + eps)|| */
  readonly logitOnlyGradNorm: Float64Array
  /** ||J_i(w + eps)^T u_i(w)|| */
  readonly jacobianOnlyGradNorm: Float64Array
  readonly samFactor: Float64Array
  readonly logitFactor: Float64Array
  readonly jacobianFactor: Float64Array
}
