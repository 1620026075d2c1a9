import type * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../params/params.js"

/**
 * An optax-style gradient transformation: a small value with `init` and `update`.
 * `update` maps gradients to updates (added to the params by `applyUpdates`) and returns
 * the next state; it never mutates its arguments and owns nothing it returns.
 */
export interface GradientTransformation<S = unknown> {
  readonly name: string
  init(params: Params): S
  update(grads: Params, state: S, params: Params): { readonly updates: Params; readonly state: S }
  /** Frees the tensors held by a state. */
  disposeState(state: S): void
  /**
   * Optional: `update` and `applyUpdates` in one go, giving the same params and state bit for
   * bit, where the active backend has a kernel that does it in fewer passes over memory
   * (PyTorch's fused SGD); undefined where it cannot, and the caller takes the two steps
   * (`updateAndApply` does this choosing). Never mutates its arguments.
   */
  readonly fusedApply?: (grads: Params, state: S, params: Params) => { readonly params: Params; readonly state: S } | undefined
}

/** One labelled batch. `y` holds int32 class indices. */
export interface Batch {
  readonly x: tf.Tensor
  readonly y: tf.Tensor1D
}

/** What a forward function gives back: logits, and what the model offers beside them. */
export interface ForwardOutput {
  readonly logits: tf.Tensor2D
  /** Input of the last linear layer (needed by feature regularizers). */
  readonly features?: tf.Tensor2D
  /** Named intermediate activations. */
  readonly activations?: Readonly<Record<string, tf.Tensor>>
  /** Updated non-trainable state (batch-norm statistics) after a training-mode pass. */
  readonly state?: Params
}

/**
 * A forward function of explicit params, e.g. `(p, x) => model.apply(p, x, { training: true, state })`.
 * A plain `Model.apply` result satisfies `ForwardOutput`.
 */
export type ForwardFn = (params: Params, x: tf.Tensor) => ForwardOutput

export interface StepResult<S> {
  readonly params: Params
  readonly state: S
  /** Mean training loss (cross-entropy) at the params before the step. */
  readonly loss: number
  /** The objective's extra loss terms at those params, summed (`withLossTerm`); absent without one. */
  readonly penalty?: number
  /**
   * Model state from the one unperturbed pass at the old params (never from a perturbed
   * pass: batch-norm statistics move once per step). Undefined when the forward gives none.
   */
  readonly modelState?: Params
  /**
   * Scalars a method reports about its step (e.g. SANER's `groupBShare`), for the training
   * loop to log; plain numbers, nothing to dispose.
   */
  readonly metrics?: Readonly<Record<string, number>>
}

/**
 * A training method (SGD, SAM and its cousins, the Jacobian regularizer): one full step
 * from params to params. Pipelines swap methods by config through this one interface.
 * `step` disposes nothing it was given; the caller disposes the old params and state.
 */
export interface TrainingMethod<S = unknown> {
  readonly name: string
  init(params: Params): S
  step(params: Params, state: S, batch: Batch, forward: ForwardFn, stepNumber: number): StepResult<S>
  disposeState(state: S): void
}
