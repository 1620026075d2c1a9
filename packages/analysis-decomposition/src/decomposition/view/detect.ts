import { type Model, type Params, layers } from "@samlab/core-tensor"
import { UnsupportedModelError } from "../../errors.js"
import type { SequentialView, ViewOp } from "./types.js"

const shapeOf = (params: Params, key: string, model: string): readonly number[] => {
  const t = params[key]
  if (!t) throw new UnsupportedModelError(model, `parameter "${key}" is missing`)
  return t.shape
}

/** Indices i for which `<prefix>_i/kernel` exists, checked to be 0..n-1. */
const layerCount = (params: Params, prefix: string): number => {
  let n = 0
  while (params[`${prefix}_${n}/kernel`]) n++
  return n
}

const dense = (params: Params, layer: string, model: string): ViewOp => {
  const [inDim, outDim] = shapeOf(params, `${layer}/kernel`, model) as [number, number]
  return { kind: "dense", layer, inDim, outDim, bias: params[`${layer}/bias`] !== undefined }
}

const activationOf = (name: string, model: string): layers.Activation => {
  const m = /, (\w+)\)$/.exec(name)
  const fn = m?.[1]
  if (fn !== "relu" && fn !== "tanh") throw new UnsupportedModelError(model, "cannot read the activation from the model name")
  return fn
}

/**
 * The sequential view of a core-tensor model (linear, twoLayerLinear, mlp, smallCnn), read from
 * the model's name and its parameter shapes; `undefined` for any other model (resnet18, custom
 * models), which the loop engine handles. The view is only a claim: `decompose` checks it
 * reproduces `model.apply`'s logits before trusting it.
 */
export const viewOfModel = (model: Model, params: Params): SequentialView | undefined => {
  const name = model.name
  const head = dense(params, "head", name)
  const flat = (): ViewOp => ({ kind: "flatInput", dim: model.inputShape.reduce((a, b) => a * b, 1) })
  if (name.startsWith("linear(")) return { name, ops: [flat(), head] }
  if (name.startsWith("twoLayerLinear(")) return { name, ops: [flat(), dense(params, "dense_0", name), head] }
  if (name.startsWith("mlp(")) {
    const fn = activationOf(name, name)
    const hidden = Array.from({ length: layerCount(params, "dense") }, (_, i): ViewOp[] => [
      dense(params, `dense_${i}`, name),
      { kind: "activation", fn }
    ]).flat()
    return { name, ops: [flat(), ...hidden, head] }
  }
  if (name.startsWith("smallCnn(")) {
    if (model.inputShape.length !== 3) throw new UnsupportedModelError(name, "a small CNN needs an image input shape")
    const convs = Array.from({ length: layerCount(params, "conv") }, (_, i): ViewOp[] => {
      const [size, , inChannels, outChannels] = shapeOf(params, `conv_${i}/kernel`, name) as [number, number, number, number]
      const layer = `conv_${i}`
      return [
        { kind: "conv", layer, size, stride: 1, inChannels, outChannels, bias: params[`${layer}/bias`] !== undefined },
        { kind: "activation", fn: "relu" },
        { kind: "maxPool2x2" }
      ]
    }).flat()
    const shape = model.inputShape as readonly [number, number, number]
    return {
      name,
      ops: [{ kind: "imageInput", shape }, ...convs, { kind: "flatten" }, dense(params, "dense_0", name), { kind: "activation", fn: "relu" }, head]
    }
  }
  return undefined
}
