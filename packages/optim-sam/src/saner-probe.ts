import * as tf from "@tensorflow/tfjs-core"
import type { Batch, ForwardFn, Params } from "@samlab/core-tensor"
import { chunkGradient } from "./generic/chunk-gradient.js"
import { checkRho } from "./options.js"

/**
 * The share of coordinates in SANER's group B (`0 < gs / (g0 + 1e-8) < 1`) for one batch at
 * `params`, without a step: e.g. on a batch of clean and one of noisy examples, to see whom
 * SAM's down-weighting acts on. Two gradient passes, as a SAM step.
 */
export const groupBShareOn = (params: Params, batch: Batch, forward: ForwardFn, rho: number): number => {
  const o = { rho: checkRho(rho, "groupBShareOn"), variant: "saner", adaptive: false, chunkSize: undefined, batched: undefined, alpha: 1 } as const
  const share = tf.tidy(() => chunkGradient(o, params, batch.x, batch.y as tf.Tensor1D, forward).groupBShare!)
  try {
    return share.dataSync()[0]!
  } finally {
    share.dispose()
  }
}
