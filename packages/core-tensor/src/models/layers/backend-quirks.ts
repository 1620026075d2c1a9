import * as tf from "@tensorflow/tfjs-core"
import { backendHasKernels } from "../../backend/own-kernels.js"
import type { FilterGradientMethod } from "./conv2d-portable.js"

/**
 * Backend gaps the layers work around (tfjs 4.22; wasm measured here on 2 cores, webgpu on an H200):
 * - wasm has no `Conv2DBackpropFilter` kernel, so a conv's filter gradient throws there;
 * - webgpu's `Conv2DBackpropFilter` runs one GPU thread per filter element over the whole batch:
 *   0.4 TFLOP/s, 85% of a ResNet-18 step's GPU time at batch 128;
 * - wasm's matMul with a transposed operand skips its fast path: x^T dy for [128, 3072] x
 *   [128, 512] took 4 s against 0.13 s for an explicit transpose then a plain matMul, and tfjs's
 *   matMul gradient uses exactly such transposed products.
 */
export const hasNativeConvFilterGradient = (): boolean => backendHasKernels("Conv2DBackpropFilter")

/**
 * How a conv's gradients are computed on the active backend: the backend's own kernels, or
 * `conv2dPortableGrad` with the filter gradient as an im2col product (webgpu) or a forward conv (wasm).
 */
export const convGradientRoute = (): "kernels" | FilterGradientMethod =>
  tf.getBackend() === "webgpu" ? "im2col" : hasNativeConvFilterGradient() ? "kernels" : "swapped-conv"

export const hasSlowTransposedMatMul = (): boolean => tf.getBackend() === "wasm"

/** `a^T b` (transposeA) or `a b^T` (transposeB) as an explicit transpose then a plain matMul. */
export const matMulExplicitT = (a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D =>
  tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b)

/** `a b` whose gradient uses only plain matMuls (for backends with slow transposed products). */
export const matMulPortableGrad = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D =>
  tf.customGrad<tf.Tensor2D>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [ai, bi, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
    save([ai, bi])
    return {
      value: tf.matMul(ai, bi),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [as, bs] = saved as [tf.Tensor2D, tf.Tensor2D]
        return [matMulExplicitT(dy, bs, false, true), matMulExplicitT(as, dy, true, false)]
      }
    }
  })(a, b)
