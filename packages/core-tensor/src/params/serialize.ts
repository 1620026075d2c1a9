import * as tf from "@tensorflow/tfjs-core"
import { TaggedError } from "../errors/tagged-error.js"

/** A JSON skeleton of a tensor tree: tensors replaced by references into one binary blob. */
export type TreeSkeleton = null | boolean | number | string | TreeSkeleton[] | { [k: string]: TreeSkeleton }

interface TensorRef {
  readonly __tensor: number
  readonly shape: number[]
  readonly dtype: "float32" | "int32"
}

const isRef = (v: unknown): v is TensorRef => typeof v === "object" && v !== null && "__tensor" in v

export class TensorTreeError extends TaggedError("TensorTreeError") {}

/**
 * Serialises a tree of tensors, numbers, strings and nested arrays/objects (an optimizer
 * state, a parameter set, batch-norm statistics) into a JSON skeleton and one byte blob,
 * exactly (float32 and int32 bits preserved): what a checkpoint stores.
 */
export const encodeTensorTree = (tree: unknown): { readonly skeleton: TreeSkeleton; readonly bytes: Uint8Array } => {
  const chunks: Uint8Array[] = []
  const walk = (v: unknown, path: string): TreeSkeleton => {
    if (v instanceof tf.Tensor) {
      if (v.dtype !== "float32" && v.dtype !== "int32") throw new TensorTreeError(`${path}: cannot serialise a ${v.dtype} tensor`)
      const data = v.dataSync() as Float32Array | Int32Array
      chunks.push(new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)))
      return { __tensor: chunks.length - 1, shape: v.shape, dtype: v.dtype } satisfies TensorRef as unknown as TreeSkeleton
    }
    if (v === null || v === undefined) return null
    if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`))
    if (typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, `${path}.${k}`)]))
    throw new TensorTreeError(`${path}: cannot serialise a value of type ${typeof v}`)
  }
  const skeleton = walk(tree, "$")
  const total = chunks.reduce((n, c) => n + c.byteLength, 0)
  const bytes = new Uint8Array(total)
  let offset = 0
  const offsets: number[] = []
  for (const c of chunks) {
    offsets.push(offset)
    bytes.set(c, offset)
    offset += c.byteLength
  }
  return { skeleton: { offsets, tree: skeleton } as unknown as TreeSkeleton, bytes }
}

/** The inverse of `encodeTensorTree`: fresh tensors owned by the caller. */
export const decodeTensorTree = <T = unknown>(skeleton: TreeSkeleton, bytes: Uint8Array): T => {
  const { offsets, tree } = skeleton as unknown as { offsets: number[]; tree: TreeSkeleton }
  if (!Array.isArray(offsets)) throw new TensorTreeError("not an encoded tensor tree (no offsets)")
  const walk = (v: unknown): unknown => {
    if (isRef(v)) {
      const start = offsets[v.__tensor]
      const size = v.shape.reduce((a, b) => a * b, 1)
      if (start === undefined || start + size * 4 > bytes.byteLength)
        throw new TensorTreeError(`tensor ${v.__tensor} lies outside the ${bytes.byteLength}-byte blob`)
      const copy = bytes.slice(start, start + size * 4)
      const values = v.dtype === "int32" ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer)
      return tf.tensor(values, v.shape, v.dtype)
    }
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return walk(tree) as T
}
