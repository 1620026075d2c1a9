import * as tf from "@tensorflow/tfjs-core"

/**
 * Non-trainable variables (batch-norm moving statistics and the like): the passes that
 * SAM adds must not move them (core-tensor's `snapshotVariables` keeps them).
 */
export const nonTrainableVariables = (): tf.Variable[] => Object.values(tf.engine().registeredVariables).filter((v) => !v.trainable)
