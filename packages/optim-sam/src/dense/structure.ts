import type * as tf from "@tensorflow/tfjs-core"
import type { Params } from "@samlab/core-tensor"
import { SamConfigError } from "../errors.js"

export type DenseActivation = "relu" | "tanh"

/**
 * A model that is a stack of dense layers, `h = act(h W + b)` then `logits = h W_head + b_head`
 * (core-tensor's `mlp`, `linear`, `twoLayerLinear` with `activation` "relu"/"tanh" as built).
 * Declaring it lets the SAM family batch the per-chunk perturbations (see `dense/`).
 */
export interface DenseStack {
  readonly kind: "dense-stack"
  readonly activation: DenseActivation
  /** Layer names in order (`<name>/kernel`, optional `<name>/bias`); default: `dense_0, dense_1, ..., head`. */
  readonly layers: readonly string[] | undefined
  /** Apply the activation after every layer but the last (false: a deep linear network). */
  readonly hiddenActivation: boolean
}

export const denseStack = (options: { activation?: DenseActivation; layers?: readonly string[]; linear?: boolean } = {}): DenseStack => {
  const activation = options.activation ?? "relu"
  if (activation !== "relu" && activation !== "tanh") throw new SamConfigError("denseStack", "activation", `must be relu or tanh, got ${String(activation)}`)
  return { kind: "dense-stack", activation, layers: options.layers, hiddenActivation: !(options.linear ?? false) }
}

export interface DenseLayer {
  readonly name: string
  readonly kernel: tf.Tensor2D
  readonly bias: tf.Tensor1D | undefined
}

/**
 * The layers of `params` under `stack`, checked: every param belongs to a layer, kernels
 * chain [in, out] -> [out, next], biases match. A mismatch is a `SamConfigError`, because
 * the batched path computes its own forward pass and must describe the same network.
 */
export const denseLayers = (stack: DenseStack, params: Params, where: string): DenseLayer[] => {
  const names = stack.layers ?? inferLayerNames(params)
  const used = new Set<string>()
  const layers = names.map((name) => {
    const kernel = params[`${name}/kernel`]
    if (kernel === undefined || kernel.rank !== 2) throw new SamConfigError(where, "dense", `layer "${name}" needs a 2-D "${name}/kernel" param`)
    const bias = params[`${name}/bias`]
    if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== kernel.shape[1]))
      throw new SamConfigError(where, "dense", `"${name}/bias" has shape [${bias.shape}], expected [${kernel.shape[1]}]`)
    used.add(`${name}/kernel`)
    if (bias) used.add(`${name}/bias`)
    return { name, kernel: kernel as tf.Tensor2D, bias: bias as tf.Tensor1D | undefined }
  })
  layers.forEach((l, i) => {
    if (i > 0 && layers[i - 1]!.kernel.shape[1] !== l.kernel.shape[0]) {
      throw new SamConfigError(
        where,
        "dense",
        `"${l.name}/kernel" takes ${l.kernel.shape[0]} inputs but "${layers[i - 1]!.name}" gives ${layers[i - 1]!.kernel.shape[1]}`
      )
    }
  })
  const extra = Object.keys(params).filter((k) => !used.has(k))
  if (extra.length > 0) throw new SamConfigError(where, "dense", `params [${extra.join(", ")}] are not part of the dense stack [${names.join(", ")}]`)
  if (layers.length === 0) throw new SamConfigError(where, "dense", "no layers")
  return layers
}

const inferLayerNames = (params: Params): string[] => {
  const hidden: string[] = []
  while (params[`dense_${hidden.length}/kernel`] !== undefined) hidden.push(`dense_${hidden.length}`)
  return [...hidden, "head"]
}
