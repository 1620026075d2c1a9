import * as tf from "@tensorflow/tfjs-core"

/**
 * Non-trainable variables (batch-norm moving statistics and the like): the passes that
 * SAM adds must not move them. Snapshots are clones (they share data, so they are cheap).
 */
export const nonTrainableVariables = (): tf.Variable[] => Object.values(tf.engine().registeredVariables).filter((v) => !v.trainable)

export interface VariableSnapshot {
  readonly variables: readonly tf.Variable[]
  readonly values: readonly tf.Tensor[]
}

export const snapshotVariables = (variables: readonly tf.Variable[]): VariableSnapshot => ({ variables, values: variables.map((v) => tf.keep(tf.clone(v))) })

/** Puts the snapshot values back (exact copies), keeping the snapshot for later restores. */
export const restoreSnapshot = (s: VariableSnapshot): void => {
  s.variables.forEach((v, i) => {
    if (!v.isDisposed) v.assign(s.values[i]!)
  })
}

export const disposeSnapshot = (s: VariableSnapshot | undefined): void => {
  if (s) for (const t of s.values) t.dispose()
}
