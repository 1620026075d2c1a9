import * as tf from "@tensorflow/tfjs-core"
import type { DenseActivation, DenseLayer } from "./structure.js"

/** What the backward and perturbation steps need from a forward pass at w. */
export interface DenseCache {
  /** Input of each layer, `A_{l-1}` [batch, in_l] (the flattened x for the first). */
  readonly inputs: tf.Tensor2D[]
  /** Output of each layer after its activation (the logits for the last). */
  readonly outputs: tf.Tensor2D[]
  readonly logits: tf.Tensor2D
}

export const activate = (z: tf.Tensor2D, activation: DenseActivation): tf.Tensor2D => (activation === "relu" ? tf.relu(z) : tf.tanh(z))

/** d act / d z at the layer's pre-activation, from its post-activation output `a`. */
export const activationSlope = (a: tf.Tensor2D, activation: DenseActivation): tf.Tensor2D =>
  activation === "relu" ? (tf.cast(tf.greater(a, 0), "float32") as tf.Tensor2D) : tf.sub<tf.Tensor2D>(1, tf.square(a))

export const affine = (h: tf.Tensor2D, layer: DenseLayer): tf.Tensor2D => {
  const z = tf.matMul<tf.Tensor2D>(h, layer.kernel)
  return layer.bias ? tf.add<tf.Tensor2D>(z, layer.bias) : z
}

/** The plain forward pass, keeping every layer's input and output. */
export const denseForward = (layers: readonly DenseLayer[], x: tf.Tensor2D, activation: DenseActivation, hiddenActivation: boolean): DenseCache => {
  const inputs: tf.Tensor2D[] = []
  const outputs: tf.Tensor2D[] = []
  let h = x
  layers.forEach((layer, l) => {
    inputs.push(h)
    const z = affine(h, layer)
    h = l < layers.length - 1 && hiddenActivation ? activate(z, activation) : z
    outputs.push(h)
  })
  return { inputs, outputs, logits: h }
}
