import type * as tf from "@tensorflow/tfjs-core"
import type { Params } from "@samlab/core-tensor"
import { type DenseActivation, type DenseLayer, denseChain, layerBias, layerNamesWhile, paramsOutside } from "../dense/structure.js"
import { SamConfigError } from "../errors.js"

/** One convolution of a `ConvStack`: `act(conv(h, kernel) + bias)`, then 2x2 max pooling when `pool`. */
export interface ConvStackConv {
  readonly name: string
  readonly stride: number
  readonly pool: boolean
}

/**
 * A conv net without batch norm: convolutions (square odd kernels, symmetric zero padding
 * (size - 1) / 2 as core-tensor's `layers.conv2d`), each followed by the activation and
 * optionally 2x2 max pooling, then flatten (NHWC) and dense layers with the activation on
 * all but the last: core-tensor's `smallCnn` with the defaults. Declaring it lets the SAM
 * family batch the per-chunk perturbations (see `conv/`). Examples must not interact within
 * the pass (no batch norm), which is what makes the per-example gradients separable.
 */
export interface ConvStack {
  readonly kind: "conv-stack"
  readonly activation: DenseActivation
  /** Default: `conv_0, conv_1, ...` as far as the params go, stride 1, each pooled. */
  readonly convs: readonly ConvStackConv[] | undefined
  /** Dense layers after flattening, the last being the head; default `dense_0, dense_1, ..., head`. */
  readonly dense: readonly string[] | undefined
  /** One example's [height, width, channels], to read flat inputs [batch, h * w * c]; NHWC inputs need none. */
  readonly inputShape: readonly [number, number, number] | undefined
}

export interface ConvStackOptions {
  readonly activation?: DenseActivation
  readonly convs?: ReadonlyArray<{ readonly name: string; readonly stride?: number; readonly pool?: boolean }>
  readonly dense?: readonly string[]
  readonly inputShape?: readonly number[]
}

export const convStack = (options: ConvStackOptions = {}): ConvStack => {
  const where = "convStack"
  const activation = options.activation ?? "relu"
  if (activation !== "relu" && activation !== "tanh") throw new SamConfigError(where, "activation", `must be relu or tanh, got ${String(activation)}`)
  const convs = options.convs?.map((c, i) => {
    const stride = c.stride ?? 1
    if (!Number.isInteger(stride) || stride < 1) throw new SamConfigError(where, `convs[${i}].stride`, `must be a positive integer, got ${String(c.stride)}`)
    return { name: c.name, stride, pool: c.pool ?? true }
  })
  const shape = options.inputShape
  if (shape !== undefined && (shape.length !== 3 || !shape.every((n) => Number.isInteger(n) && n > 0)))
    throw new SamConfigError(where, "inputShape", `must be [height, width, channels] of positive integers, got [${shape.join(", ")}]`)
  return { kind: "conv-stack", activation, convs, dense: options.dense, inputShape: shape as readonly [number, number, number] | undefined }
}

export interface ConvLayer extends ConvStackConv {
  readonly kernel: tf.Tensor4D
  readonly bias: tf.Tensor1D | undefined
  readonly size: number
}

export interface ConvStackLayers {
  readonly convs: readonly ConvLayer[]
  readonly dense: readonly DenseLayer[]
}

/**
 * The layers of `params` under `stack`, checked: every param belongs to a layer, kernels are
 * [k, k, in, out] with odd k and chain their channels, dense kernels chain [in, out] ->
 * [out, next], biases match. A mismatch is a `SamConfigError`, because the batched path
 * computes its own forward pass and must describe the same network. The flattened size
 * feeding the first dense layer is checked per batch (it depends on the image size).
 */
export const convStackLayers = (stack: ConvStack, params: Params, where: string): ConvStackLayers => {
  const convSpecs = stack.convs ?? layerNamesWhile(params, "conv").map((name) => ({ name, stride: 1, pool: true }))
  const convs = convSpecs.map((c, i): ConvLayer => {
    const kernel = params[`${c.name}/kernel`]
    if (kernel === undefined || kernel.rank !== 4 || kernel.shape[0] !== kernel.shape[1] || kernel.shape[0]! % 2 !== 1)
      throw new SamConfigError(
        where,
        "batched",
        `layer "${c.name}" needs a "${c.name}/kernel" param [k, k, in, out] with odd k, got ${kernel ? `[${kernel.shape}]` : "none"}`
      )
    const previous = i > 0 ? params[`${convSpecs[i - 1]!.name}/kernel`]! : undefined
    if (previous && previous.shape[3] !== kernel.shape[2])
      throw new SamConfigError(
        where,
        "batched",
        `"${c.name}/kernel" takes ${kernel.shape[2]} channels but "${convSpecs[i - 1]!.name}" gives ${previous.shape[3]}`
      )
    return { ...c, kernel: kernel as tf.Tensor4D, bias: layerBias(params, c.name, kernel.shape[3]!, where), size: kernel.shape[0]! }
  })
  const denseNames = stack.dense ?? [...layerNamesWhile(params, "dense"), "head"]
  const dense = denseChain(denseNames, params, where)
  if (convs.length === 0) throw new SamConfigError(where, "batched", "the conv stack has no convolutions (a dense stack is `denseStack`)")
  if (dense.length === 0) throw new SamConfigError(where, "batched", "the conv stack has no dense layers (it needs at least the head)")
  const extra = paramsOutside(params, [...convs, ...dense])
  if (extra.length > 0)
    throw new SamConfigError(
      where,
      "batched",
      `params [${extra.join(", ")}] are not part of the conv stack [${[...convSpecs.map((c) => c.name), ...denseNames].join(", ")}]`
    )
  return { convs, dense }
}
