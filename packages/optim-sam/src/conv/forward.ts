import * as tf from "@tensorflow/tfjs-core"
import { type Params, layers } from "@samlab/core-tensor"
import { SamConfigError } from "../errors.js"
import type { ConvStack, ConvStackLayers } from "./structure.js"

/**
 * Sees every linear layer's pre-activation `z` with the layer's input `h` and may change it
 * (add a probe, a perturbation's correction). Layers are numbered convolutions first, then dense.
 */
export type LinearTap = (layer: number, h: tf.Tensor, z: tf.Tensor) => tf.Tensor

/** The batch as NHWC images: as given, or a flat [batch, h * w * c] batch read with the stack's `inputShape`. */
export const convStackInput = (x: tf.Tensor, stack: ConvStack, where: string): tf.Tensor4D => {
  if (x.rank === 4) return x as tf.Tensor4D
  if (x.rank === 2 && stack.inputShape && x.shape[1] === tf.util.sizeFromShape([...stack.inputShape])) return tf.reshape(x, [x.shape[0]!, ...stack.inputShape])
  throw new SamConfigError(
    where,
    "batched",
    `the conv stack takes NHWC images [batch, h, w, c]${stack.inputShape ? ` or [batch, ${stack.inputShape.join(" * ")}]` : " (or flat inputs with convStack({ inputShape }))"}, got [${x.shape}]`
  )
}

/**
 * The conv stack's logits for weights `params`, with core-tensor's layers (the same ops as
 * `smallCnn`): per convolution `act(conv(h) + b)` and its pooling, then flatten and the
 * dense layers. `tap` sees each linear layer's pre-activation.
 */
export const convStackLogits = (stack: ConvStack, net: ConvStackLayers, params: Params, x: tf.Tensor4D, where: string, tap?: LinearTap): tf.Tensor2D => {
  const seen = (l: number, h: tf.Tensor, z: tf.Tensor) => (tap ? tap(l, h, z) : z)
  let image = x
  net.convs.forEach((c, l) => {
    const spec = { size: c.size, inChannels: c.kernel.shape[2], outChannels: c.kernel.shape[3], stride: c.stride, bias: c.bias !== undefined }
    const z = seen(l, image, layers.conv2d(params, c.name, image, spec)) as tf.Tensor4D
    image = layers.activate(z, stack.activation)
    if (c.pool) image = layers.maxPool2x2(image)
  })
  let h = layers.flatten(image)
  const first = net.dense[0]!
  if (h.shape[1] !== first.kernel.shape[0])
    throw new SamConfigError(
      where,
      "batched",
      `"${first.name}/kernel" takes ${first.kernel.shape[0]} inputs but the convolutions give ${h.shape[1]} ([${image.shape.slice(1)}] flattened)`
    )
  const last = net.dense.length - 1
  net.dense.forEach((d, i) => {
    const z = seen(net.convs.length + i, h, layers.dense(params, d.name, h, d.bias !== undefined)) as tf.Tensor2D
    h = i < last ? layers.activate(z, stack.activation) : z
  })
  return h
}

/** The pre-activation shapes of every linear layer for a batch `x`, in tap order (for probes). */
export const preActivationShapes = (net: ConvStackLayers, x: tf.Tensor4D): number[][] => {
  const batch = x.shape[0]
  let [h, w] = [x.shape[1], x.shape[2]]
  const shapes: number[][] = []
  for (const c of net.convs) {
    h = layers.convOutSize(h, c.size, c.stride)
    w = layers.convOutSize(w, c.size, c.stride)
    shapes.push([batch, h, w, c.kernel.shape[3]])
    if (c.pool) [h, w] = [Math.floor(h / 2), Math.floor(w / 2)]
  }
  for (const d of net.dense) shapes.push([batch, d.kernel.shape[1]])
  return shapes
}
