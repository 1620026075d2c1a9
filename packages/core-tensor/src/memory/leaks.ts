import * as tf from "@tensorflow/tfjs-core"

export class TensorLeakError extends Error {
  override readonly name = "TensorLeakError"
  constructor(
    readonly label: string,
    readonly before: number,
    readonly after: number
  ) {
    super(`${label}: ${after - before} tensor(s) leaked (${before} live before, ${after} after)`)
  }
}

/** Live tensor count of the active backend's engine. */
export const liveTensors = (): number => tf.memory().numTensors

/**
 * Runs `body` and throws `TensorLeakError` when the live tensor count after it differs
 * from the count before. Usable in any test: `await expectNoLeak("50 steps", () => ...)`.
 */
export const expectNoLeak = async <A>(label: string, body: () => A | Promise<A>): Promise<A> => {
  const before = liveTensors()
  const result = await body()
  const after = liveTensors()
  if (after !== before) throw new TensorLeakError(label, before, after)
  return result
}
