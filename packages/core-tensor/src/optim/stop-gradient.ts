import * as tf from "@tensorflow/tfjs-core"

/**
 * `compute(...inputs)` treated as a constant for differentiation (JAX's `stop_gradient` of
 * a whole expression): it runs inside a custom-gradient kernel, where tfjs records no ops on
 * the gradient tape, and every input gets a zero gradient. So nothing in `compute` is ever
 * differentiated: no 0 * inf = NaN from a sqrt at 0, no "gradient not found" for discrete
 * ops such as `equal`. Returns a new tensor owned by the caller.
 */
export const constantOf = <T extends tf.Tensor>(compute: (...inputs: tf.Tensor[]) => T, ...inputs: tf.Tensor[]): T =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[]
    return { value: tf.tidy(() => compute(...xs)), gradFunc: () => xs.map((x) => tf.zerosLike(x)) }
  })(...inputs) as T

/** `x` as a constant for differentiation: the same values, a zero gradient. tfjs-core has no such op. */
export const stopGradient = <T extends tf.Tensor>(x: T): T => constantOf((v) => tf.clone(v) as T, x)
