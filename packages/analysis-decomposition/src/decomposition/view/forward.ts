import { type Params, layers } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { UnsupportedModelError } from "../../errors.js"
import { convOutputSize, im2col } from "./im2col.js"
import type { SequentialView } from "./types.js"

/**
 * One example's gradient of a layer's parameters, in factored form, batched over examples:
 * dense: kernel gradient a_i^T d_i (outer product of the layer input and the signal at its
 * output), bias gradient d_i; conv: kernel gradient g_i [size * size * in, out], bias gradient gb_i.
 */
export type LayerFactors =
  { readonly kind: "dense"; readonly a: tf.Tensor2D; readonly d: tf.Tensor2D } | { readonly kind: "conv"; readonly g: tf.Tensor3D; readonly gb: tf.Tensor2D }

/**
 * Example i runs at its own weights w + scale_i * g_i, where g_i is its gradient (given by the
 * factors of every layer): 1-SAM's per-example perturbation, batched. Dense layers add
 * scale_i * (<a'_i, a_i> + 1) d_i to the output (a'_i the input at the perturbed weights);
 * convs add scale_i * (patches(a'_i) g_i + gb_i).
 */
export interface PerExamplePerturbation {
  readonly scale: tf.Tensor1D
  readonly factors: Readonly<Record<string, LayerFactors>>
}

export interface ViewForwardOptions {
  /** Zero tensors added to each listed layer's output (before its activation): their gradient is the back-propagated signal. */
  readonly probes?: Readonly<Record<string, tf.Tensor>>
  readonly perturbation?: PerExamplePerturbation
  /** Called with each parameterised layer's input (for per-example gradients). */
  readonly onLayerInput?: (layer: string, input: tf.Tensor) => void
}

const imageInput = (x: tf.Tensor, [h, w, c]: readonly [number, number, number], view: string): tf.Tensor4D => {
  if (x.rank === 4 && x.shape[1] === h && x.shape[2] === w && x.shape[3] === c) return x as tf.Tensor4D
  if (x.rank === 2 && x.shape[1] === h * w * c) return tf.reshape(x, [x.shape[0]!, h, w, c])
  throw new UnsupportedModelError(view, `input of shape [${x.shape.join(", ")}] where [batch, ${h}, ${w}, ${c}] was expected`)
}

const denseDelta = (f: LayerFactors, input: tf.Tensor2D, scale: tf.Tensor1D, bias: boolean): tf.Tensor2D => {
  if (f.kind !== "dense") throw new UnsupportedModelError("view", "dense layer given conv factors")
  const dot = tf.sum(tf.mul(input, f.a), 1)
  const coef = tf.mul(scale, bias ? tf.add(dot, 1) : dot)
  return tf.mul(f.d, tf.expandDims(coef, 1))
}

const convDelta = (f: LayerFactors, input: tf.Tensor4D, out: tf.Tensor4D, size: number, stride: number, scale: tf.Tensor1D, bias: boolean): tf.Tensor4D => {
  if (f.kind !== "conv") throw new UnsupportedModelError("view", "conv layer given dense factors")
  const [b, ho, wo, c] = out.shape
  let delta: tf.Tensor4D = tf.reshape(tf.matMul(im2col(input, size, stride), f.g), [b, ho, wo, c])
  if (bias) delta = tf.add(delta, tf.reshape(f.gb, [b, 1, 1, c]))
  return tf.mul(delta, tf.reshape(scale, [b, 1, 1, 1]))
}

/**
 * The view's forward pass: logits [b, k] and features (the head's input). Make the call inside
 * tf.tidy (or a gradient function); every tensor it creates is a temporary of the caller.
 */
export const viewForward = (
  view: SequentialView,
  params: Params,
  x: tf.Tensor,
  options: ViewForwardOptions = {}
): { logits: tf.Tensor2D; features: tf.Tensor2D } => {
  let h: tf.Tensor = x
  let features: tf.Tensor2D | undefined
  const { probes, perturbation, onLayerInput } = options
  view.ops.forEach((op, index) => {
    switch (op.kind) {
      case "flatInput":
        if (x.rank < 2 || x.size / x.shape[0]! !== op.dim)
          throw new UnsupportedModelError(view.name, `input of shape [${x.shape.join(", ")}] where ${op.dim} values per example were expected`)
        h = layers.flatten(h)
        return
      case "imageInput":
        h = imageInput(h, op.shape, view.name)
        return
      case "flatten":
        h = layers.flatten(h)
        return
      case "maxPool2x2":
        h = layers.maxPool2x2(h as tf.Tensor4D)
        return
      case "activation":
        h = layers.activate(h, op.fn)
        return
      case "dense":
      case "conv": {
        onLayerInput?.(op.layer, h)
        if (index === view.ops.length - 1) features = h as tf.Tensor2D
        let y: tf.Tensor =
          op.kind === "dense"
            ? layers.dense(params, op.layer, h as tf.Tensor2D, op.bias)
            : layers.conv2d(params, op.layer, h as tf.Tensor4D, {
                size: op.size,
                stride: op.stride,
                inChannels: op.inChannels,
                outChannels: op.outChannels,
                bias: op.bias
              })
        const f = perturbation?.factors[op.layer]
        if (perturbation && f) {
          y =
            op.kind === "dense"
              ? tf.add(y, denseDelta(f, h as tf.Tensor2D, perturbation.scale, op.bias))
              : tf.add(y, convDelta(f, h as tf.Tensor4D, y as tf.Tensor4D, op.size, op.stride, perturbation.scale, op.bias))
        }
        const probe = probes?.[op.layer]
        h = probe ? tf.add(y, probe) : y
        return
      }
    }
  })
  if (!features) throw new UnsupportedModelError(view.name, "the last op of a view must be the dense head")
  return { logits: h as tf.Tensor2D, features }
}

/** Each parameterised layer's output shape for a batch of `b` (the shape of its probe). */
export const layerOutputShapes = (view: SequentialView, b: number): Record<string, number[]> => {
  const out: Record<string, number[]> = {}
  let shape: number[] = [b]
  for (const op of view.ops) {
    switch (op.kind) {
      case "flatInput":
        shape = [b, op.dim]
        break
      case "imageInput":
        shape = [b, ...op.shape]
        break
      case "flatten":
        shape = [b, shape.slice(1).reduce((x, y) => x * y, 1)]
        break
      case "maxPool2x2":
        shape = [b, Math.floor(shape[1]! / 2), Math.floor(shape[2]! / 2), shape[3]!]
        break
      case "activation":
        break
      case "dense":
        shape = [b, op.outDim]
        out[op.layer] = shape
        break
      case "conv":
        shape = [b, convOutputSize(shape[1]!, op.size, op.stride), convOutputSize(shape[2]!, op.size, op.stride), op.outChannels]
        out[op.layer] = shape
        break
    }
  }
  return out
}
