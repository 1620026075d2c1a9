import { ModelSpecError } from "./errors.js"
import { type Activation, activationKinds } from "./layers/activation.js"
import { product } from "./layers/flatten.js"
import { linear } from "./linear.js"
import { mlp } from "./mlp.js"
import type { Model } from "./model.js"
import { resnet, resnet18 } from "./resnet18.js"
import { smallCnn } from "./small-cnn.js"
import { twoLayerLinear } from "./two-layer-linear.js"
import { booleanField, oneOf, positiveInt, positiveIntList } from "./validate.js"

/** A model described as plain JSON, for configs and checkpoints. */
export type ModelSpec =
  | { readonly kind: "linear" }
  | { readonly kind: "two-layer-linear"; readonly hidden: number; readonly bias?: boolean }
  | { readonly kind: "mlp"; readonly hidden: readonly number[]; readonly activation?: Activation }
  | { readonly kind: "cnn"; readonly channels?: readonly number[]; readonly dense?: number }
  | { readonly kind: "resnet18"; readonly width?: number }
  /** A CIFAR-form ResNet with `blocks[s]` BasicBlocks in stage s (e.g. [1, 1, 1]: ResNet-8). */
  | { readonly kind: "resnet"; readonly blocks: readonly number[]; readonly width?: number }

export const modelKinds = ["linear", "two-layer-linear", "mlp", "cnn", "resnet18", "resnet"] as const satisfies ReadonlyArray<ModelSpec["kind"]>

export interface MakeModelOptions {
  /** One example's shape: [32, 32, 3] for images, [d] for flat input. */
  readonly inputShape: readonly number[]
  readonly numClasses: number
}

const allowedFields: Readonly<Record<ModelSpec["kind"], readonly string[]>> = {
  linear: [],
  "two-layer-linear": ["hidden", "bias"],
  mlp: ["hidden", "activation"],
  cnn: ["channels", "dense"],
  resnet18: ["width"],
  resnet: ["blocks", "width"]
}

/**
 * Checks an untyped value (parsed JSON) field by field and returns it as a `ModelSpec`;
 * throws `ModelSpecError` naming the first bad field (`spec.hidden[1]`, `spec.kind`, ...).
 */
export const parseModelSpec = (value: unknown, path = "spec"): ModelSpec => {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ModelSpecError(path, `expected an object with a "kind", got ${JSON.stringify(value)}`)
  const v = value as Record<string, unknown>
  const kind = oneOf(v["kind"], modelKinds, `${path}.kind`)
  for (const key of Object.keys(v)) {
    if (key !== "kind" && !allowedFields[kind].includes(key)) {
      throw new ModelSpecError(`${path}.${key}`, `unknown field for kind "${kind}" (allowed: ${allowedFields[kind].join(", ") || "none"})`)
    }
  }
  const opt = <T>(key: string, check: (x: unknown, field: string) => T): { [k: string]: T } =>
    v[key] === undefined ? {} : { [key]: check(v[key], `${path}.${key}`) }
  switch (kind) {
    case "linear":
      return { kind }
    case "two-layer-linear":
      return { kind, hidden: positiveInt(v["hidden"], `${path}.hidden`), ...opt("bias", booleanField) }
    case "mlp":
      return { kind, hidden: positiveIntList(v["hidden"], `${path}.hidden`), ...opt("activation", (x, f) => oneOf(x, activationKinds, f)) }
    case "cnn":
      return { kind, ...opt("channels", (x, f) => positiveIntList(x, f, 1)), ...opt("dense", positiveInt) }
    case "resnet18":
      return { kind, ...opt("width", positiveInt) }
    case "resnet":
      return { kind, blocks: positiveIntList(v["blocks"], `${path}.blocks`, 1), ...opt("width", positiveInt) }
  }
}

/**
 * Builds the model a spec describes. Flat models (linear, two-layer-linear, mlp) take any
 * `inputShape` and flatten it; image models (cnn, resnet18, resnet) need [height, width, channels].
 * Throws `ModelSpecError` naming the bad field (`spec.*`, `inputShape`, `numClasses`).
 */
export const makeModel = (spec: ModelSpec, options: MakeModelOptions): Model => {
  const s = parseModelSpec(spec)
  const numClasses = positiveInt(options.numClasses, "numClasses")
  const inputShape = positiveIntList(options.inputShape, "inputShape", 1)
  const inputDim = product(inputShape)
  switch (s.kind) {
    case "linear":
      return linear({ inputDim, numClasses })
    case "two-layer-linear":
      return twoLayerLinear({ inputDim, hidden: s.hidden, numClasses, bias: s.bias ?? false })
    case "mlp":
      return mlp({ inputDim, hidden: s.hidden, numClasses, activation: s.activation ?? "relu" })
    case "cnn":
    case "resnet18":
    case "resnet": {
      if (inputShape.length !== 3) throw new ModelSpecError("inputShape", `a ${s.kind} needs [height, width, channels], got [${inputShape.join(", ")}]`)
      const width = s.kind !== "cnn" && s.width ? { width: s.width } : {}
      return s.kind === "cnn"
        ? smallCnn({ numClasses, inputShape, ...(s.channels ? { channels: s.channels } : {}), ...(s.dense ? { dense: s.dense } : {}) })
        : s.kind === "resnet18"
          ? resnet18({ numClasses, inputShape, ...width })
          : resnet({ numClasses, inputShape, blocks: s.blocks, ...width })
    }
  }
}
