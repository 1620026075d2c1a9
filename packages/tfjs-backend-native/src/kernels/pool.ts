import { AvgPool, AvgPoolGrad, MaxPool, MaxPoolGrad, backend_util, type TensorInfo } from "@tensorflow/tfjs-core"
import type { NativeKernelArgs, NativeKernelSpec } from "./spec.js"
import { f32, nativeFloat32, output, sizeOf } from "./values.js"

type PoolInfo = backend_util.Conv2DInfo

/** The addon's 14-entry pooling geometry (native/src/pool.h, PoolGeometry). */
const poolGeometry = (c: PoolInfo): Int32Array =>
  Int32Array.from([
    c.batchSize,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.outHeight,
    c.outWidth,
    c.filterHeight,
    c.filterWidth,
    c.strideHeight,
    c.strideWidth,
    c.dilationHeight,
    c.dilationWidth,
    c.padInfo.top,
    c.padInfo.left
  ])

const poolInfo = (args: NativeKernelArgs, xShape: number[], withRounding: boolean): PoolInfo | undefined => {
  if (xShape.length !== 4) return undefined
  const info = backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    args.attrs["filterSize"] as [number, number] | number,
    args.attrs["strides"] as [number, number] | number,
    1,
    args.attrs["pad"] as "valid" | "same" | number | backend_util.ExplicitPadding,
    withRounding ? (args.attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined) : undefined
  )
  // A 1x1 window that keeps the shape is the identity, which the cpu kernel short-cuts.
  const identity = info.filterHeight === 1 && info.filterWidth === 1 && info.outHeight === info.inHeight && info.outWidth === info.inWidth
  return identity || sizeOf(info.inShape) === 0 || sizeOf(info.outShape) === 0 ? undefined : info
}

const forwardKernel = (kernelName: string, max: boolean): NativeKernelSpec => ({
  kernelName,
  run: (args, addon) => {
    const { x } = args.inputs as { x: TensorInfo }
    if (!nativeFloat32(args.backend, x)) return undefined
    const info = poolInfo(args, x.shape, true)
    if (!info) return undefined
    const values = args.backend.allocFloat32(sizeOf(info.outShape))
    ;(max ? addon.maxPool : addon.avgPool)(f32(args.backend, x), values, poolGeometry(info))
    return output(args.backend, info.outShape, values)
  }
})

/** MaxPool, NHWC: the first maximum of each window, padding skipped. */
export const maxPoolKernel = forwardKernel(MaxPool, true)
/** AvgPool, NHWC: the mean over the in-bounds part of each window. */
export const avgPoolKernel = forwardKernel(AvgPool, false)

/** MaxPoolGrad: each output gradient goes to its window's first maximum. */
export const maxPoolGradKernel: NativeKernelSpec = {
  kernelName: MaxPoolGrad,
  run: (args, addon) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo }
    if (!nativeFloat32(args.backend, dy, input)) return undefined
    const info = poolInfo(args, input.shape, true)
    if (!info) return undefined
    const values = args.backend.allocFloat32(sizeOf(input.shape))
    addon.maxPoolGrad(f32(args.backend, input), f32(args.backend, dy), values, poolGeometry(info))
    return output(args.backend, input.shape, values)
  }
}

/** AvgPoolGrad: each output gradient spread over its window, divided by the window size (as tfjs does). */
export const avgPoolGradKernel: NativeKernelSpec = {
  kernelName: AvgPoolGrad,
  run: (args, addon) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo }
    if (!nativeFloat32(args.backend, dy, input)) return undefined
    const info = poolInfo(args, input.shape, false)
    if (!info) return undefined
    const values = args.backend.allocFloat32(sizeOf(input.shape))
    addon.avgPoolGrad(f32(args.backend, dy), values, poolGeometry(info))
    return output(args.backend, input.shape, values)
  }
}
