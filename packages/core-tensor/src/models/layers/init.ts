import * as tf from "@tensorflow/tfjs-core"
import type { Rng } from "../../random/rng.js"

/**
 * PyTorch's default initialisation of Linear and Conv2d weights and biases:
 * U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (kaiming_uniform with a = sqrt(5) gives the same bound).
 * The stream is `rng.fork(name)`, so a parameter's values depend on the seed and its
 * name only, never on which parameters were drawn before it. Caller owns the tensor.
 */
export const uniformFanIn = (rng: Rng, name: string, shape: readonly number[], fanIn: number): tf.Tensor => {
  const bound = 1 / Math.sqrt(fanIn)
  const size = shape.reduce((a, b) => a * b, 1)
  return tf.tensor(rng.fork(name).uniformArray(size, -bound, bound), [...shape], "float32")
}

export const constantTensor = (shape: readonly number[], value: number): tf.Tensor => tf.fill([...shape], value, "float32")
