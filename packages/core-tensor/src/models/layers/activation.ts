import * as tf from "@tensorflow/tfjs-core"

export type Activation = "relu" | "tanh"
export const activationKinds: readonly Activation[] = ["relu", "tanh"]

export const activate = <T extends tf.Tensor>(x: T, activation: Activation): T => (activation === "relu" ? tf.relu(x) : tf.tanh(x))
