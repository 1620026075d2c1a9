import type { layers } from "@samlab/core-tensor"

/**
 * A model re-expressed as a chain of ops over the same parameters, so that the engine can add
 * probes (zero tensors whose gradient is a layer's back-propagated signal) and per-example
 * weight perturbations. The forward uses core-tensor's own layer functions, so a view of a
 * core-tensor model computes the model's logits with the very same ops.
 */
export type ViewOp =
  /** Any input [b, ...] flattened to [b, dim]. */
  | { readonly kind: "flatInput"; readonly dim: number }
  /** NHWC [b, h, w, c] (or flat [b, h*w*c], reshaped). */
  | { readonly kind: "imageInput"; readonly shape: readonly [number, number, number] }
  /** `x W + b`, params `<layer>/kernel` [in, out] and `<layer>/bias` [out]. */
  | { readonly kind: "dense"; readonly layer: string; readonly inDim: number; readonly outDim: number; readonly bias: boolean }
  /** core-tensor's conv2d (symmetric zero padding (size - 1) / 2), params `<layer>/kernel` HWIO and `<layer>/bias`. */
  | {
      readonly kind: "conv"
      readonly layer: string
      readonly size: number
      readonly stride: number
      readonly inChannels: number
      readonly outChannels: number
      readonly bias: boolean
    }
  | { readonly kind: "activation"; readonly fn: layers.Activation }
  | { readonly kind: "maxPool2x2" }
  | { readonly kind: "flatten" }

export type ParamOp = Extract<ViewOp, { kind: "dense" | "conv" }>

/** A sequential view; the last op is the head (a dense layer whose input is the features). */
export interface SequentialView {
  readonly name: string
  readonly ops: readonly ViewOp[]
}

export const paramOps = (view: SequentialView): ParamOp[] => view.ops.filter((op): op is ParamOp => op.kind === "dense" || op.kind === "conv")

/** The parameter names of a layer, in the order the model declares them. */
export const paramNamesOf = (op: ParamOp): string[] => (op.bias ? [`${op.layer}/kernel`, `${op.layer}/bias`] : [`${op.layer}/kernel`])
