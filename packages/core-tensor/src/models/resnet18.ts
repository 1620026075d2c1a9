import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../params/params.js"
import type { Rng } from "../random/rng.js"
import { type ImageShape, cifarImageShape, imageShape } from "./image-shape.js"
import { batchNormRelu } from "./layers/batch-norm-relu.js"
import { batchNorm, batchNormInit, batchNormInitState, batchNormShapes, batchNormStateShapes } from "./layers/batch-norm.js"
import { requireShapes } from "./layers/check.js"
import { type ConvSpec, conv2d, conv2dInit, conv2dShapes } from "./layers/conv2d.js"
import { dense, denseInit, denseShapes } from "./layers/dense.js"
import { imageInput } from "./layers/image-input.js"
import { globalAveragePool } from "./layers/pool.js"
import type { Model, ModelOutput } from "./model.js"
import { tidyOutput } from "./output.js"
import { ModelSpecError } from "./errors.js"
import { positiveInt, positiveIntList } from "./validate.js"

export interface Resnet18Options {
  readonly numClasses?: number
  /** Channels of the first stage (default 64); the stages have width, 2, 4 and 8 times width. */
  readonly width?: number
  /** One example's [height, width, channels] (default [32, 32, 3]). */
  readonly inputShape?: readonly number[]
}

export interface ResnetOptions extends Resnet18Options {
  /**
   * BasicBlocks per stage, one entry per stage (at most 4; stage s has width * 2^s channels
   * and stride 2 from the second stage on). [2, 2, 2, 2] is ResNet-18; [1, 1, 1] a ResNet-8.
   */
  readonly blocks: readonly number[]
}

/** A conv (no bias) followed by batch norm: the unit every part of the network is built from. */
interface ConvBn {
  /** Param prefix of the convolution, e.g. `stage2/block0/conv1`. */
  readonly conv: string
  /** Param and state prefix of its batch norm, e.g. `stage2/block0/bn1`. */
  readonly bn: string
  readonly spec: ConvSpec
}

interface Block {
  readonly name: string
  readonly first: ConvBn
  readonly second: ConvBn
  /** 1x1 conv + BN projection when the shape changes, else the identity. */
  readonly shortcut: ConvBn | undefined
}

const convBn = (conv: string, bn: string, size: number, inChannels: number, outChannels: number, stride: number): ConvBn => ({
  conv,
  bn,
  spec: { size, inChannels, outChannels, stride, bias: false }
})

/** The stem and the BasicBlocks of a CIFAR-form ResNet, `perStage[s]` blocks in stage s. */
const architecture = (inChannels: number, width: number, perStage: readonly number[]): { stem: ConvBn; blocks: Block[] } => {
  const stem = convBn("stem/conv", "stem/bn", 3, inChannels, width, 1)
  const blocks: Block[] = []
  let channels = width
  perStage.forEach((count, s) => {
    const mult = 2 ** s
    for (let b = 0; b < count; b++) {
      const out = width * mult
      const stride = b === 0 && s > 0 ? 2 : 1
      const name = `stage${s + 1}/block${b}`
      blocks.push({
        name,
        first: convBn(`${name}/conv1`, `${name}/bn1`, 3, channels, out, stride),
        second: convBn(`${name}/conv2`, `${name}/bn2`, 3, out, out, 1),
        shortcut: stride !== 1 || channels !== out ? convBn(`${name}/shortcut/conv`, `${name}/shortcut/bn`, 1, channels, out, stride) : undefined
      })
      channels = out
    }
  })
  return { stem, blocks }
}

const units = (stem: ConvBn, blocks: readonly Block[]): ConvBn[] => [
  stem,
  ...blocks.flatMap((b) => (b.shortcut ? [b.first, b.second, b.shortcut] : [b.first, b.second]))
]

/** ResNet-18 for 32x32 images: `resnet` with two BasicBlocks in each of four stages (below). */
export const resnet18 = (options: Resnet18Options = {}): Model => resnet({ ...options, blocks: [2, 2, 2, 2] })

/**
 * A ResNet for 32x32 images (the CIFAR variant of He et al.), ResNet-18 with the default
 * `blocks`: a 3x3 stride-1 stem conv with
 * batch norm and ReLU (no max-pool), four stages of two BasicBlocks (width x 1, 2, 4, 8 channels,
 * strides 1, 2, 2, 2; 1x1 conv + BN projection shortcuts where the shape changes), global average
 * pooling (the features, 8 * width wide) and the linear head.
 * Params (PyTorch's names with '/'): convs `stem/conv/kernel`, `stageS/blockB/conv1/kernel`,
 * `.../conv2/kernel`, `.../shortcut/conv/kernel` (no biases); each followed by a batch norm
 * `stem/bn`, `.../bn1`, `.../bn2`, `.../shortcut/bn` with params `<bn>/gamma`, `<bn>/beta` and
 * state `<bn>/moving_mean`, `<bn>/moving_var`; then `head/kernel`, `head/bias`.
 * `apply` needs `options.state` (from `initState` or a previous pass).
 * Activations: `stem` and each `stageS/blockB` output (after the final ReLU), and `pool`.
 * With other `blocks` (1 to 4 stages), the same pattern: features width * 2^(stages - 1) wide.
 */
export const resnet = (options: ResnetOptions): Model => {
  const isResnet18 = options.blocks.length === 4 && options.blocks.every((b) => b === 2)
  const kind = isResnet18 ? "resnet18" : "resnet"
  const numClasses = positiveInt(options.numClasses ?? 10, `${kind}.numClasses`)
  const width = positiveInt(options.width ?? 64, `${kind}.width`)
  const perStage = positiveIntList(options.blocks, `${kind}.blocks`, 1)
  if (perStage.length > 4) throw new ModelSpecError(`${kind}.blocks`, `at most 4 stages, got ${perStage.length}`)
  const input: ImageShape = imageShape(options.inputShape ?? cifarImageShape, `${kind}.inputShape`)
  const { stem, blocks } = architecture(input[2], width, perStage)
  const all = units(stem, blocks)
  const featureDim = 2 ** (perStage.length - 1) * width
  const name = isResnet18 ? `resnet18(width ${width}, ${numClasses} classes)` : `resnet(blocks ${perStage.join("-")}, width ${width}, ${numClasses} classes)`
  const shapes = [
    ...all.flatMap((u) => [...conv2dShapes(u.conv, u.spec), ...batchNormShapes(u.bn, u.spec.outChannels)]),
    ...denseShapes("head", featureDim, numClasses)
  ]
  const stateShapes = all.flatMap((u) => batchNormStateShapes(u.bn, u.spec.outChannels))

  return {
    name,
    numClasses,
    inputShape: input,
    featureDim,
    headWeight: "head/kernel",
    headBias: "head/bias",
    init: (rng: Rng): Params => {
      const p: Record<string, tf.Tensor> = {}
      for (const u of all) Object.assign(p, conv2dInit(rng, u.conv, u.spec), batchNormInit(u.bn, u.spec.outChannels))
      return Object.assign(p, denseInit(rng, "head", featureDim, numClasses))
    },
    initState: (): Params => Object.assign({}, ...all.map((u) => batchNormInitState(u.bn, u.spec.outChannels))),
    apply: (params, x, options): ModelOutput => {
      requireShapes(params, shapes, name)
      const state = options.state ?? {}
      requireShapes(state, stateShapes, name, "state")
      return tidyOutput(() => {
        const newState: Record<string, tf.Tensor> = {}
        const unit = (u: ConvBn, a: tf.Tensor4D) => batchNorm(params, state, u.bn, conv2d(params, u.conv, a, u.spec), options.training, newState)
        // relu(unit(u, a) + residual), on fused kernels where the backend has them
        const unitRelu = (u: ConvBn, a: tf.Tensor4D, residual?: tf.Tensor4D) =>
          batchNormRelu(params, state, u.bn, conv2d(params, u.conv, a, u.spec), options.training, newState, residual)
        const acts: Record<string, tf.Tensor> = {}
        let a = unitRelu(stem, imageInput(x, input, name))
        acts["stem"] = a
        for (const b of blocks) {
          const inner = unitRelu(b.first, a)
          a = unitRelu(b.second, inner, b.shortcut ? unit(b.shortcut, a) : a)
          acts[b.name] = a
        }
        const features = globalAveragePool(a)
        acts["pool"] = features
        return { logits: dense(params, "head", features), features, activations: acts, state: options.training ? orderedLike(stateShapes, newState) : state }
      })
    }
  }
}

/** The new state in the key order of `initState`. */
const orderedLike = (shapes: ReadonlyArray<readonly [string, readonly number[]]>, state: Record<string, tf.Tensor>): Params =>
  Object.fromEntries(shapes.map(([k]) => [k, state[k]!]))
