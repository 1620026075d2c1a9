import * as tf from "@tensorflow/tfjs-core"
import { backend_util, util, type TensorInfo } from "@tensorflow/tfjs-core"
import { BinaryOp, UnaryOp } from "./codes.js"
import type { NativeKernelSpec } from "./spec.js"
import { f32, nativeFloat32, output, sizeOf } from "./values.js"

/** Broadcast strides of `shape` against an output of rank `rank` (0 where the operand repeats). */
const broadcastStrides = (shape: readonly number[], outShape: readonly number[]): Int32Array => {
  const rank = outShape.length
  const own = util.computeStrides(shape as number[])
  const strides = new Int32Array(rank)
  for (let d = 0; d < rank; ++d) {
    const da = d - (rank - shape.length)
    if (da < 0 || shape[da] === 1) continue
    strides[d] = da === shape.length - 1 ? 1 : own[da]!
  }
  return strides
}

/** A NumPy broadcast as the addon takes it: the output shape and each operand's strides per output dimension. */
export interface Broadcast {
  readonly outShape: number[]
  readonly size: number
  readonly shape: Int32Array
  readonly aStrides: Int32Array
  readonly bStrides: Int32Array
}

/**
 * The broadcast of `a` against `b`, or undefined where the addon declines it: shapes that do
 * not broadcast (the cpu kernel raises tfjs's own error), rank over 8, an empty output.
 */
export const broadcastOf = (a: readonly number[], b: readonly number[]): Broadcast | undefined => {
  let outShape: number[]
  try {
    outShape = backend_util.assertAndGetBroadcastShape(a as number[], b as number[])
  } catch {
    return undefined
  }
  const size = sizeOf(outShape)
  if (outShape.length > 8 || size === 0) return undefined
  return { outShape, size, shape: Int32Array.from(outShape), aStrides: broadcastStrides(a, outShape), bStrides: broadcastStrides(b, outShape) }
}

const binaryKernel = (kernelName: string, op: BinaryOp): NativeKernelSpec => ({
  kernelName,
  run: ({ inputs, backend }, addon) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo }
    if (!nativeFloat32(backend, a, b)) return undefined
    const g = broadcastOf(a.shape, b.shape)
    if (g === undefined) return undefined
    const values = backend.allocFloat32(g.size)
    addon.binary(op, f32(backend, a), f32(backend, b), values, g.shape, g.aStrides, g.bStrides)
    return output(backend, g.outShape, values)
  }
})

/** Float32 binary ops with NumPy broadcasting. */
export const binaryKernels: readonly NativeKernelSpec[] = [
  binaryKernel(tf.Add, BinaryOp.Add),
  binaryKernel(tf.Sub, BinaryOp.Sub),
  binaryKernel(tf.Multiply, BinaryOp.Mul),
  binaryKernel(tf.RealDiv, BinaryOp.Div),
  binaryKernel(tf.Maximum, BinaryOp.Max),
  binaryKernel(tf.Minimum, BinaryOp.Min),
  binaryKernel(tf.SquaredDifference, BinaryOp.SquaredDifference)
]

const unaryKernel = (kernelName: string, op: UnaryOp, param: (attrs: tf.NamedAttrMap) => number = () => 0): NativeKernelSpec => ({
  kernelName,
  run: ({ inputs, backend, attrs }, addon) => {
    const { x } = inputs as { x: TensorInfo }
    if (!nativeFloat32(backend, x) || sizeOf(x.shape) === 0) return undefined
    const values = backend.allocFloat32(sizeOf(x.shape))
    addon.unary(op, f32(backend, x), values, param(attrs))
    return output(backend, x.shape, values)
  }
})

/** Float32 unary ops (activations and their gradients' building blocks). */
export const unaryKernels: readonly NativeKernelSpec[] = [
  unaryKernel(tf.Relu, UnaryOp.Relu),
  unaryKernel(tf.Relu6, UnaryOp.Relu6),
  unaryKernel(tf.LeakyRelu, UnaryOp.LeakyRelu, (attrs) => Number(attrs["alpha"] ?? 0.2)),
  unaryKernel(tf.Step, UnaryOp.Step, (attrs) => Number(attrs["alpha"] ?? 0)),
  unaryKernel(tf.Neg, UnaryOp.Neg),
  unaryKernel(tf.Abs, UnaryOp.Abs),
  unaryKernel(tf.Square, UnaryOp.Square),
  unaryKernel(tf.Sqrt, UnaryOp.Sqrt),
  unaryKernel(tf.Rsqrt, UnaryOp.Rsqrt),
  unaryKernel(tf.Exp, UnaryOp.Exp),
  unaryKernel(tf.Log, UnaryOp.Log),
  unaryKernel(tf.Sigmoid, UnaryOp.Sigmoid),
  unaryKernel(tf.Tanh, UnaryOp.Tanh),
  unaryKernel(tf.Elu, UnaryOp.Elu),
  unaryKernel(tf.Reciprocal, UnaryOp.Reciprocal)
]

/** AddN over float32 tensors of one shape. */
export const addNKernel: NativeKernelSpec = {
  kernelName: tf.AddN,
  run: ({ inputs, backend }, addon) => {
    const tensors = inputs as unknown as TensorInfo[]
    if (tensors.length === 0 || !nativeFloat32(backend, ...tensors)) return undefined
    const shape = tensors[0]!.shape
    if (sizeOf(shape) === 0 || tensors.some((t) => !util.arraysEqual(t.shape, shape))) return undefined
    const values = backend.allocFloat32(sizeOf(shape))
    addon.addN(
      tensors.map((t) => f32(backend, t)),
      values
    )
    return output(backend, shape, values)
  }
}
