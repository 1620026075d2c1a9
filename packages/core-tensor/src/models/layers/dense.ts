import * as tf from "@tensorflow/tfjs-core"
import type { Params } from "../../params/params.js"
import type { Rng } from "../../random/rng.js"
import { hasSlowTransposedMatMul, matMulPortableGrad } from "./backend-quirks.js"
import { uniformFanIn } from "./init.js"

/** `name/kernel` [inDim, outDim] and (when `bias`) `name/bias` [outDim], PyTorch default init. */
export const denseInit = (rng: Rng, name: string, inDim: number, outDim: number, bias = true): Record<string, tf.Tensor> => {
  const out: Record<string, tf.Tensor> = { [`${name}/kernel`]: uniformFanIn(rng, `${name}/kernel`, [inDim, outDim], inDim) }
  if (bias) out[`${name}/bias`] = uniformFanIn(rng, `${name}/bias`, [outDim], inDim)
  return out
}

export const denseShapes = (name: string, inDim: number, outDim: number, bias = true): Array<readonly [string, readonly number[]]> =>
  bias
    ? [
        [`${name}/kernel`, [inDim, outDim]],
        [`${name}/bias`, [outDim]]
      ]
    : [[`${name}/kernel`, [inDim, outDim]]]

/**
 * `x W (+ b)` for x [batch, inDim] (params checked beforehand with `denseShapes`). On backends
 * with slow transposed matmuls (wasm) the product's gradient avoids them.
 */
export const dense = (params: Params, name: string, x: tf.Tensor2D, bias = true): tf.Tensor2D => {
  const kernel = params[`${name}/kernel`] as tf.Tensor2D
  const y = hasSlowTransposedMatMul() ? matMulPortableGrad(x, kernel) : tf.matMul<tf.Tensor2D>(x, kernel)
  return bias ? tf.add<tf.Tensor2D>(y, params[`${name}/bias`]!) : y
}
