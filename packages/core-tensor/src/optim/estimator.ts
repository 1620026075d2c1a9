import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../params/params.js"
import type { Batch, ForwardFn, ForwardOutput } from "./transform.js"

/**
 * An extra differentiable term of the training objective (a regularizer), read from a forward
 * pass: `value` gets that pass's output, the params it ran at, the labels and where it runs
 * (for errors). Every estimator adds it wherever it evaluates its objective.
 */
export interface LossTerm {
  readonly name: string
  readonly value: (output: ForwardOutput, params: Params, labels: tf.Tensor1D, where: string) => tf.Scalar
}

/** What an estimator gives back; every tensor is owned by the caller. */
export interface GradientEstimate {
  /** The gradient handed to the base optimizer. */
  readonly grads: Params
  /** Mean cross-entropy at the params of the step (what every method reports as its loss). */
  readonly loss: tf.Scalar
  /** The loss terms at those params, summed; absent when the objective has none. */
  readonly penalty?: tf.Scalar
  /** Model state of the one unperturbed pass (batch-norm statistics move once per step). */
  readonly modelState: Params | undefined
  /** Scalars the estimator reports about its step (e.g. SANER's `groupBShare`). */
  readonly metrics?: Readonly<Record<string, tf.Scalar>>
}

/**
 * How a training method turns a batch into a gradient (ERM, SAM and its cousins): the half of
 * a method that `withBase` does not supply. `term` is an extra loss term the objective gets
 * (`withLossTerm` passes it); an estimator that cannot honour it throws a config error.
 */
export interface GradientEstimator {
  readonly name: string
  estimate(params: Params, batch: Batch, forward: ForwardFn, where: string, term?: LossTerm): GradientEstimate
}

/** Two terms as one: their values summed. */
export const sumOfTerms = (a: LossTerm, b: LossTerm): LossTerm => ({
  name: `${a.name} + ${b.name}`,
  value: (output, params, labels, where) => tf.add(a.value(output, params, labels, where), b.value(output, params, labels, where)) as tf.Scalar
})
