import { BatchMatMul, _FusedMatMul, backend_util, type TensorInfo } from "@tensorflow/tfjs-core"
import type { NativeAddon } from "../addon.js"
import { finishFused } from "./activation.js"
import type { NativeKernelArgs, NativeKernelSpec } from "./spec.js"
import { f32, nativeFloat32, sizeOf } from "./values.js"

interface MatMulGeometry {
  readonly batch: number
  readonly batchA: number
  readonly batchB: number
  readonly m: number
  readonly n: number
  readonly k: number
  readonly outShape: number[]
}

/**
 * The product's geometry, or undefined when the cpu kernel should handle it: mismatched
 * shapes (so its error is the one raised), empty tensors, or batch dimensions that broadcast
 * other than "equal, or one side 1" (the cpu kernel's own index arithmetic covers only those).
 */
const geometry = (a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): MatMulGeometry | undefined => {
  const ra = a.shape.length,
    rb = b.shape.length
  if (ra < 2 || rb < 2) return undefined
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!
  if (k !== kb) return undefined
  const batchA = sizeOf(a.shape.slice(0, -2)),
    batchB = sizeOf(b.shape.slice(0, -2))
  let outer: number[]
  try {
    outer = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))
  } catch {
    return undefined
  }
  const batch = Math.max(batchA, batchB)
  if (sizeOf(outer) !== batch || !(batchA === batchB || batchA === 1 || batchB === 1)) return undefined
  if (batch * m * n === 0 || k === 0) return undefined
  return { batch, batchA, batchB, m, n, k, outShape: [...outer, m, n] }
}

const product = (args: NativeKernelArgs, addon: NativeAddon): { values: Float32Array; g: MatMulGeometry } | undefined => {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo }
  const transposeA = Boolean(args.attrs["transposeA"]),
    transposeB = Boolean(args.attrs["transposeB"])
  if (!nativeFloat32(args.backend, a, b)) return undefined
  const g = geometry(a, b, transposeA, transposeB)
  if (!g) return undefined
  const values = args.backend.allocFloat32(g.batch * g.m * g.n)
  addon.matMul(f32(args.backend, a), f32(args.backend, b), values, g.batch, g.batchA, g.batchB, g.m, g.n, g.k, transposeA, transposeB)
  return { values, g }
}

/** BatchMatMul, every transpose combination, batched with tfjs's broadcasting. */
export const batchMatMulKernel: NativeKernelSpec = {
  kernelName: BatchMatMul,
  run: (args, addon) => {
    const r = product(args, addon)
    return r && args.backend.makeTensorInfo(r.g.outShape, "float32", r.values)
  }
}

/** _FusedMatMul: the product, then bias and activation in place. */
export const fusedMatMulKernel: NativeKernelSpec = {
  kernelName: _FusedMatMul,
  run: (args, addon) => {
    const { bias, preluActivationWeights } = args.inputs as { bias?: TensorInfo; preluActivationWeights?: TensorInfo }
    if (!nativeFloat32(args.backend, bias)) return undefined
    const r = product(args, addon)
    if (!r) return undefined
    return finishFused(addon, args.backend, r.values, r.g.outShape, r.g.batch * r.g.m, r.g.n, {
      bias,
      activation: args.attrs["activation"] as string | undefined,
      leakyreluAlpha: args.attrs["leakyreluAlpha"] as number | undefined,
      preluActivationWeights
    })
  }
}
