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

/** `name/bias` when present, checked to be [width]. */
export const layerBias = (params: Params, name: string, width: number, where: string): tf.Tensor1D | undefined => {
  const bias = params[`${name}/bias`]
  if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== width))
    throw new SamConfigError(where, "batched", `"${name}/bias" has shape [${bias.shape}], expected [${width}]`)
  return bias as tf.Tensor1D | undefined
}

/** `prefix_0, prefix_1, ...` for as long as `params` has their kernels. */
export const layerNamesWhile = (params: Params, prefix: string): string[] => {
  const names: string[] = []
  while (params[`${prefix}_${names.length}/kernel`] !== undefined) names.push(`${prefix}_${names.length}`)
  return names
}

/** The names of params that `layers` leave out: the batched path would ignore them, so they are an error. */
export const paramsOutside = (params: Params, layers: ReadonlyArray<{ readonly name: string; readonly bias: tf.Tensor | undefined }>): string[] => {
  const used = new Set(layers.flatMap((l) => (l.bias ? [`${l.name}/kernel`, `${l.name}/bias`] : [`${l.name}/kernel`])))
  return Object.keys(params).filter((k) => !used.has(k))
}

/** Dense layers by name, checked: 2-D kernels that chain [in, out] -> [out, next], matching biases. */
export const denseChain = (names: readonly string[], params: Params, where: string): DenseLayer[] =>
  names.map((name, i) => {
    const kernel = params[`${name}/kernel`]
    if (kernel === undefined || kernel.rank !== 2) throw new SamConfigError(where, "batched", `layer "${name}" needs a 2-D "${name}/kernel" param`)
    const previous = i > 0 ? params[`${names[i - 1]}/kernel`] : undefined
    if (previous && previous.shape[1] !== kernel.shape[0])
      throw new SamConfigError(where, "batched", `"${name}/kernel" takes ${kernel.shape[0]} inputs but "${names[i - 1]}" gives ${previous.shape[1]}`)
    return { name, kernel: kernel as tf.Tensor2D, bias: layerBias(params, name, kernel.shape[1]!, where) }
  })

/**
 * The layers of `params` under `stack`, checked: every param belongs to a layer, kernels
 * chain [in, out] -> [out, next], biases match. A mismatch is a `SamConfigError`, because
 * the batched path computes its own forward pass and must describe the same network.
 */
export const denseLayers = (stack: DenseStack, params: Params, where: string): DenseLayer[] => {
  const names = stack.layers ?? [...layerNamesWhile(params, "dense"), "head"]
  const layers = denseChain(names, params, where)
  const extra = paramsOutside(params, layers)
  if (extra.length > 0) throw new SamConfigError(where, "batched", `params [${extra.join(", ")}] are not part of the dense stack [${names.join(", ")}]`)
  if (layers.length === 0) throw new SamConfigError(where, "batched", "no layers")
  return layers
}
