import { Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, FusedConv2D, backend_util, type TensorInfo } from "@tensorflow/tfjs-core"
import { finishFused } from "./activation.js"
import type { NativeAddon } from "../addon.js"
import type { NativeKernelArgs, NativeKernelSpec } from "./spec.js"
import { f32, nativeFloat32, output, sizeOf } from "./values.js"

type ConvInfo = backend_util.Conv2DInfo

/** The addon's 15-entry convolution geometry (native/src/conv.h, ConvGeometry). */
const convGeometry = (c: ConvInfo): Int32Array =>
  Int32Array.from([
    c.batchSize,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.outHeight,
    c.outWidth,
    c.outChannels,
    c.filterHeight,
    c.filterWidth,
    c.strideHeight,
    c.strideWidth,
    c.dilationHeight,
    c.dilationWidth,
    c.padInfo.top,
    c.padInfo.left
  ])

/** A convolution's three passes, in the addon's numbering (conv2dWinograd). */
const convPasses = { forward: 0, inputGrad: 1, filterGrad: 2 } as const

/** Whether the addon runs `pass` of the convolution on its Winograd path (3x3, stride 1; the rule is native/src/winograd.cc's). */
export const usesWinograd = (addon: NativeAddon, info: ConvInfo, pass: keyof typeof convPasses): boolean =>
  addon.conv2dWinograd(convGeometry(info), convPasses[pass])

const channelsLast = (args: NativeKernelArgs): boolean => (args.attrs["dataFormat"] ?? "NHWC") === "NHWC"

const nonEmpty = (c: ConvInfo): boolean => sizeOf(c.inShape) > 0 && sizeOf(c.outShape) > 0 && c.filterHeight * c.filterWidth > 0

/** Shape checks and padding, exactly as the cpu kernels compute them (so their errors are the ones raised). */
const convInfo = (args: NativeKernelArgs, inShape: number[], filterShape: number[], dilations: number | [number, number]): ConvInfo =>
  backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    args.attrs["strides"] as [number, number],
    dilations,
    args.attrs["pad"] as "valid" | "same" | number | backend_util.ExplicitPadding,
    args.attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
    false,
    "channelsLast"
  )

const forward = (args: NativeKernelArgs, addon: Parameters<NativeKernelSpec["run"]>[1]): { values: Float32Array; info: ConvInfo } | undefined => {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo }
  if (!channelsLast(args) || !nativeFloat32(args.backend, x, filter) || x.shape.length !== 4) return undefined
  const info = convInfo(args, x.shape, filter.shape, (args.attrs["dilations"] as number | [number, number] | undefined) ?? 1)
  if (!nonEmpty(info)) return undefined
  const values = args.backend.allocFloat32(sizeOf(info.outShape))
  addon.conv2d(f32(args.backend, x), f32(args.backend, filter), values, convGeometry(info))
  return { values, info }
}

/** Conv2D, NHWC, any stride, padding and dilation. */
export const conv2dKernel: NativeKernelSpec = {
  kernelName: Conv2D,
  run: (args, addon) => {
    const r = forward(args, addon)
    return r && output(args.backend, r.info.outShape, r.values)
  }
}

/** FusedConv2D: the convolution, then bias and activation in place. */
export const fusedConv2dKernel: NativeKernelSpec = {
  kernelName: FusedConv2D,
  run: (args, addon) => {
    const { bias, preluActivationWeights } = args.inputs as { bias?: TensorInfo; preluActivationWeights?: TensorInfo }
    if (!nativeFloat32(args.backend, bias)) return undefined
    const r = forward(args, addon)
    if (!r) return undefined
    const { batchSize, outHeight, outWidth, outChannels } = r.info
    return finishFused(addon, args.backend, r.values, r.info.outShape, batchSize * outHeight * outWidth, outChannels, {
      bias,
      activation: args.attrs["activation"] as string | undefined,
      leakyreluAlpha: args.attrs["leakyreluAlpha"] as number | undefined,
      preluActivationWeights
    })
  }
}

/** Conv2DBackpropInput (the input gradient), NHWC. */
export const conv2dBackpropInputKernel: NativeKernelSpec = {
  kernelName: Conv2DBackpropInput,
  run: (args, addon) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo }
    if (!channelsLast(args) || !nativeFloat32(args.backend, dy, filter)) return undefined
    const info = convInfo(args, args.attrs["inputShape"] as number[], filter.shape, 1)
    if (!nonEmpty(info)) return undefined
    const values = args.backend.allocFloat32(sizeOf(info.inShape))
    addon.conv2dBackpropInput(f32(args.backend, dy), f32(args.backend, filter), values, convGeometry(info))
    return output(args.backend, info.inShape, values)
  }
}

/** Conv2DBackpropFilter (the filter gradient), NHWC. */
export const conv2dBackpropFilterKernel: NativeKernelSpec = {
  kernelName: Conv2DBackpropFilter,
  run: (args, addon) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo }
    if (!channelsLast(args) || !nativeFloat32(args.backend, x, dy)) return undefined
    const info = convInfo(args, x.shape, args.attrs["filterShape"] as number[], 1)
    if (!nonEmpty(info)) return undefined
    const values = args.backend.allocFloat32(sizeOf(info.filterShape))
    addon.conv2dBackpropFilter(f32(args.backend, x), f32(args.backend, dy), values, convGeometry(info))
    return output(args.backend, info.filterShape, values)
  }
}
