import * as tf from "@tensorflow/tfjs-core"
import { type Batch, type ForwardFn, type GradientEstimate, type LossTerm, type Params, disposeParams, scaleParams, zipParams } from "@samlab/core-tensor"
import type { CheckedSamOptions } from "../options.js"
import { chunkGradient, labelChecker } from "./chunk-gradient.js"

const sliceRows = (t: tf.Tensor, start: number, size: number): tf.Tensor => tf.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [size, ...t.shape.slice(1)])

/**
 * The method gradient for any model: chunk after chunk (one perturbation each), the mean
 * of the chunk gradients. Sums are accumulated so memory stays at a few parameter sets
 * whatever the number of chunks. With several chunks the model state is the mean of the
 * chunks' unperturbed states: for moving averages that is the update with the mean of the
 * chunk statistics, applied once; a loss term's value is the mean of the chunks' as well.
 */
export const chunkLoopGradient = (
  o: CheckedSamOptions,
  params: Params,
  batch: Batch,
  forward: ForwardFn,
  chunks: number,
  where: string,
  term?: LossTerm
): GradientEstimate => {
  const check = labelChecker(batch.y, where)
  if (chunks === 1) {
    const r = tf.tidy(() => chunkGradient(o, params, batch.x, batch.y, forward, check, term, where) as unknown as tf.TensorContainer) as unknown as ReturnType<
      typeof chunkGradient
    >
    return {
      grads: r.grad,
      loss: r.loss,
      modelState: r.state,
      ...(r.penalty ? { penalty: r.penalty } : {}),
      ...(r.groupBShare ? { metrics: { groupBShare: r.groupBShare } } : {})
    }
  }
  const m = batch.x.shape[0]! / chunks
  let grad: Params | undefined
  let loss: tf.Scalar | undefined
  let penalty: tf.Scalar | undefined
  let state: Params | undefined
  try {
    for (let c = 0; c < chunks; c++) {
      const next = tf.tidy(() => {
        const x = sliceRows(batch.x, c * m, m)
        const y = sliceRows(batch.y, c * m, m) as tf.Tensor1D
        const r = chunkGradient(o, params, x, y, forward, c === 0 ? check : undefined, term, where)
        return {
          grad: grad ? zipParams(grad, r.grad, (a, b) => tf.add(a, b)) : r.grad,
          loss: loss ? tf.add(loss, r.loss) : r.loss,
          penalty: r.penalty && (penalty ? tf.add(penalty, r.penalty) : r.penalty),
          state: r.state && (state ? zipParams(state, r.state, (a, b) => tf.add(a, b)) : r.state)
        } as unknown as tf.TensorContainer
      }) as unknown as { grad: Params; loss: tf.Scalar; penalty: tf.Scalar | undefined; state: Params | undefined }
      disposeParams(grad, state)
      tf.dispose([...(loss ? [loss] : []), ...(penalty ? [penalty] : [])])
      grad = next.grad
      loss = next.loss
      penalty = next.penalty
      state = next.state
    }
    const meanOf = (t: tf.Scalar) => tf.tidy(() => tf.div(t, chunks)) as tf.Scalar
    return {
      grads: scaleParams(grad!, 1 / chunks),
      loss: meanOf(loss!),
      ...(penalty ? { penalty: meanOf(penalty) } : {}),
      modelState: state && scaleParams(state, 1 / chunks)
    }
  } finally {
    disposeParams(grad, state)
    tf.dispose([...(loss ? [loss] : []), ...(penalty ? [penalty] : [])])
  }
}
