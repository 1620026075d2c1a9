import type { ForwardFn, Params } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { LayersAdapterError } from "./errors.js"

/** The part of a tfjs-layers `LayerVariable` the adapter uses (tfjs-layers does not export the class). */
interface LayerVariable {
  readonly name: string
  read(): tf.Variable
  write(value: tf.Tensor): unknown
}

/** An activation object as tfjs-layers layers hold it. */
interface ActivationFn {
  getClassName(): string
  apply(x: tf.Tensor): tf.Tensor
}

type LayerWithActivation = tfl.layers.Layer & { activation?: ActivationFn }

const identity: ActivationFn = { getClassName: () => "linear", apply: (x) => x }

const isSoftmax = (layer: tfl.layers.Layer | undefined): boolean =>
  layer?.getClassName() === "Softmax" || (layer as LayerWithActivation | undefined)?.activation?.getClassName() === "softmax"

/**
 * A tfjs-layers model seen as samlab sees its own models: trainable weights as `Params`, a
 * forward function of explicit params, batch-norm statistics as model state.
 */
export interface LayersModelAdapter {
  readonly model: tfl.LayersModel
  /** Copies of the trainable weights, keyed by variable name, in the model's order. The caller owns them. */
  params(): Params
  /** Copies of the non-trainable weights (batch-norm moving statistics). The caller owns them. */
  modelState(): Params
  /**
   * Runs the model in training mode with `params` in place of its trainable weights (gradients
   * flow to `params`), and returns the logits (before a final softmax), the features (the input
   * of the last dense layer) and the non-trainable weights as that pass would have updated them.
   * The model's own variables are left exactly as they were.
   */
  readonly forward: ForwardFn
  /** Logits in inference mode with the model's own weights (for evaluation). */
  logits(x: tf.Tensor): tf.Tensor2D
  /** Writes params and, when given, model state into the model's variables (copies; the caller keeps ownership). */
  assign(params: Params, modelState?: Params): void
  /** Name of the last dense layer's kernel in `params()` (the regularizer's head), if the model ends in one. */
  readonly headWeight: string | undefined
}

/**
 * Adapts an unchanged tfjs-layers model (Sequential or functional, built, one input and one
 * output) so that every samlab `TrainingMethod` can train it. A final softmax (a Dense layer's
 * activation or a Softmax/Activation layer) is skipped during the adapter's passes: samlab's
 * methods work on logits. Layers that read weights through `LayerVariable.read()` (all of
 * tfjs-layers' own) are supported; dropout and other training-mode behaviour apply as in `fit`.
 */
export const adaptLayersModel = (model: tfl.LayersModel): LayersModelAdapter => {
  const where = `adaptLayersModel(${model.name})`
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new LayersAdapterError(where, "model", `must have one input and one output, has ${model.inputs.length} and ${model.outputs.length}`)
  const layers = model.layers
  const last = layers[layers.length - 1]
  if (last === undefined) throw new LayersAdapterError(where, "model", "has no layers")
  // A trailing Softmax/Activation layer: the logits are its input, the head is the layer before.
  const softmaxLayer = isSoftmax(last) && last.getClassName() !== "Dense" ? last : undefined
  const head = softmaxLayer ? layers[layers.length - 2] : last
  const swapped = isSoftmax(last) && last.getClassName() === "Dense" ? (last as LayerWithActivation) : undefined
  const logitsSymbol = softmaxLayer ? (softmaxLayer.input as tfl.SymbolicTensor) : model.outputs[0]!
  const headIsDense = head?.getClassName() === "Dense"
  const outputs = headIsDense ? [head!.input as tfl.SymbolicTensor, logitsSymbol] : [logitsSymbol]
  // Shares the model's layers and variables; only what it returns differs.
  const inner = tfl.model({ inputs: model.inputs, outputs })

  const trainable = model.trainableWeights as unknown as LayerVariable[]
  const nonTrainable = model.nonTrainableWeights as unknown as LayerVariable[]
  const names = trainable.map((v) => v.name)
  if (new Set(names).size !== names.length) throw new LayersAdapterError(where, "trainableWeights", `have duplicate names: ${names.join(", ")}`)
  const headWeight = headIsDense ? trainable.find((v) => (head as unknown as { kernel?: LayerVariable }).kernel === v)?.name : undefined

  const run = (x: tf.Tensor, training: boolean): { logits: tf.Tensor2D; features?: tf.Tensor2D } => {
    const saved = swapped?.activation
    if (swapped) swapped.activation = identity
    try {
      const out = inner.apply(x, { training }) as tf.Tensor | tf.Tensor[]
      const list = Array.isArray(out) ? out : [out]
      const logits = list[list.length - 1] as tf.Tensor2D
      if (logits.rank !== 2) throw new LayersAdapterError(where, "output", `must be [batch, classes], got shape [${logits.shape}]`)
      return headIsDense ? { logits, features: list[0] as tf.Tensor2D } : { logits }
    } finally {
      if (swapped) swapped.activation = saved
    }
  }

  const forward: ForwardFn = (params, x) => {
    const missing = names.filter((n) => params[n] === undefined)
    if (missing.length > 0) throw new LayersAdapterError(where, "params", `lack ${missing.join(", ")}`)
    const reads = trainable.map((v) => v.read)
    const before = nonTrainable.map((v) => tf.clone(v.read()))
    trainable.forEach((v) => {
      const value = params[v.name]!
      ;(v as { read: () => tf.Tensor }).read = () => value
    })
    try {
      const out = run(x, true)
      // What this pass did to the moving statistics, then the model as it was: a method keeps the
      // state of its one unperturbed pass, so statistics move once per step.
      const state = Object.fromEntries(nonTrainable.map((v) => [v.name, tf.clone(v.read())]))
      return { ...out, ...(nonTrainable.length > 0 ? { state } : {}) }
    } finally {
      trainable.forEach((v, i) => {
        ;(v as { read: () => tf.Tensor }).read = reads[i]!
      })
      nonTrainable.forEach((v, i) => v.write(before[i]!))
      tf.dispose(before)
    }
  }

  const copies = (vars: readonly LayerVariable[]): Params => Object.fromEntries(vars.map((v) => [v.name, tf.clone(v.read())]))

  return {
    model,
    params: () => copies(trainable),
    modelState: () => copies(nonTrainable),
    forward,
    logits: (x) => tf.tidy(() => run(x, false).logits),
    assign: (params, modelState) => {
      const missing = names.filter((n) => params[n] === undefined)
      if (missing.length > 0) throw new LayersAdapterError(where, "params", `lack ${missing.join(", ")}`)
      // A variable's assign shares the tensor's data and counts a reference: the caller may dispose its tensors.
      for (const v of trainable) v.write(params[v.name]!)
      if (modelState) for (const v of nonTrainable) if (modelState[v.name] !== undefined) v.write(modelState[v.name]!)
    },
    headWeight
  }
}
