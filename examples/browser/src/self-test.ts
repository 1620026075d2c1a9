import * as tf from "@tensorflow/tfjs-core"
import { Rng, type TrainingMethod, disposeParams, mlp, sgd } from "@samlab/core-tensor"
import { jsam, sam } from "@samlab/optim-sam"
import { jacobianRegularized } from "@samlab/optim-jacobian-reg"

export interface SelfTestResult {
  readonly backend: string
  /** Per method: the loss before each step. */
  readonly losses: Readonly<Record<string, number[]>>
  /** Live tensors before and after (equal when nothing leaked). */
  readonly tensors: readonly [number, number]
}

/**
 * SAM, J-SAM and the Jacobian regularizer for `steps` steps on a small seeded problem, on the
 * tfjs backend named (the browser test asserts that each loss falls and nothing leaks).
 */
export const selfTest = async (backend: string, steps = 15): Promise<SelfTestResult> => {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not initialise`)
  await tf.ready()
  const before = tf.memory().numTensors
  const model = mlp({ inputDim: 20, hidden: [16], numClasses: 4 })
  const rng = new Rng(3)
  const x = tf.tensor2d(rng.normalArray(64 * 20), [64, 20])
  const y = tf.tensor1d(
    Int32Array.from({ length: 64 }, (_, i) => i % 4),
    "int32"
  )
  const base = () => sgd({ lr: 0.1, momentum: 0.9 })
  const methods: Record<string, TrainingMethod<any>> = {
    sam: sam({ rho: 0.05, base: base() }),
    jsam: jsam({ rho: 0.05, base: base() }),
    jacreg: jacobianRegularized({ lambdaFeatures: 1e-3, lambdaHead: 1e-3, headWeight: model.headWeight, base: base() })
  }
  const losses: Record<string, number[]> = {}
  for (const [name, method] of Object.entries(methods)) {
    let params = model.init(new Rng(1))
    let state = method.init(params)
    losses[name] = []
    for (let s = 1; s <= steps; s++) {
      const r = method.step(params, state, { x, y }, (p, input) => model.apply(p, input, { training: true }), s)
      disposeParams(params, r.modelState)
      method.disposeState(state)
      params = r.params
      state = r.state
      losses[name]!.push(r.loss)
    }
    disposeParams(params)
    method.disposeState(state)
  }
  tf.dispose([x, y])
  return { backend: tf.getBackend(), losses, tensors: [before, tf.memory().numTensors] }
}
