import * as tf from "@tensorflow/tfjs-core"
import { type ForwardFn, type TrainingMethod, disposeParams, mlp, stepper } from "@samlab/core-tensor"
import { type GoldenFixture, closeToGolden, fixtureParams } from "@samlab/golden"

export const goldenForward = (c: GoldenFixture): ForwardFn => {
  const layers = c.model.layers
  const model = mlp({
    inputDim: layers[0]!.W.length,
    hidden: layers.slice(0, -1).map((l) => l.b.length),
    numClasses: layers[layers.length - 1]!.b.length,
    activation: c.model.activation
  })
  return (p, x) => model.apply(p, x, { training: true })
}

/** Runs the fixture's steps with `method`; returns the first mismatch, or undefined. */
export const runGolden = <S>(c: GoldenFixture, method: TrainingMethod<S>): string | undefined => {
  const forward = goldenForward(c)
  const x = tf.tensor2d(c.data.x)
  const y = tf.tensor1d(c.data.y, "int32")
  const run = stepper({ method, forward, params: fixtureParams(c.model.layers) })
  try {
    for (let s = 0; s < c.steps; s++) {
      const r = run.step({ x, y })
      const params = run.params
      if (!closeToGolden(r.loss, c.expected.lossBeforeEachStep[s]!)) return `loss before step ${s}: ${r.loss} vs ${c.expected.lossBeforeEachStep[s]}`
      const want = fixtureParams(c.expected.layersAfterEachStep[s]!)
      try {
        for (const k of Object.keys(want)) {
          const got = params[k]!.dataSync()
          const expected = want[k]!.dataSync()
          for (let i = 0; i < expected.length; i++) if (!closeToGolden(got[i]!, expected[i]!)) return `${k}[${i}] after step ${s}: ${got[i]} vs ${expected[i]}`
        }
      } finally {
        disposeParams(want)
      }
    }
    return undefined
  } finally {
    run.dispose()
    tf.dispose([x, y])
  }
}
