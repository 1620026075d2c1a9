import type * as tf from "@tensorflow/tfjs-core"

/** Each value within `atol + rtol * |expected|`; names the first offender. */
export const expectAllClose = (label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): void => {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} where ${expected.length} was expected`)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const e = expected[i]!
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`${label}[${i}]: ${a} where ${e} was expected (atol ${atol}, rtol ${rtol})`)
  }
}

export const values = (t: tf.Tensor): number[] => Array.from(t.dataSync())
