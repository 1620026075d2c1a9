import * as tf from "@tensorflow/tfjs-core"
import { type Batch, type ForwardFn, type Params, type TrainingMethod, Rng, cloneParams, disposeParams, mlp, stepper } from "@samlab/core-tensor"

/** A seeded random MLP problem: params, forward, batch (inputs normal, labels uniform). */
export const mlpProblem = (seed: number, o: { inputDim: number; hidden: number[]; numClasses: number; batch: number; activation?: "relu" | "tanh" }) => {
  const model = mlp({ inputDim: o.inputDim, hidden: o.hidden, numClasses: o.numClasses, activation: o.activation ?? "relu" })
  const rng = new Rng(seed)
  const params = model.init(rng.fork("init"))
  const data = rng.fork("data")
  const x = tf.tensor2d(data.normalArray(o.batch * o.inputDim), [o.batch, o.inputDim])
  const y = tf.tensor1d(
    Int32Array.from({ length: o.batch }, () => data.int(o.numClasses)),
    "int32"
  )
  const forward: ForwardFn = (p, xx) => model.apply(p, xx, { training: true })
  return { model, params, forward, batch: { x, y } as Batch, dispose: () => (disposeParams(params), tf.dispose([x, y])) }
}

/** Params after `steps` steps of `method` from `params` (which stay untouched), plus the losses. */
export const trajectory = <S>(method: TrainingMethod<S>, params0: Params, batch: Batch, forward: ForwardFn, steps: number) => {
  const run = stepper({ method, forward, params: cloneParams(params0) })
  const losses: number[] = []
  const values: Float32Array[][] = []
  for (let s = 0; s < steps; s++) {
    losses.push(run.step(batch).loss)
    values.push(Object.values(run.params).map((t) => Float32Array.from(t.dataSync())))
  }
  run.dispose()
  return { losses, values }
}

export const maxRelDiff = (a: Float32Array[][], b: Float32Array[][]): number => {
  let worst = 0
  a.forEach((step, s) =>
    step.forEach((t, k) =>
      t.forEach((v, i) => {
        const w = b[s]![k]![i]!
        worst = Math.max(worst, Math.abs(v - w) / Math.max(1e-3, Math.abs(w)))
      })
    )
  )
  return worst
}
