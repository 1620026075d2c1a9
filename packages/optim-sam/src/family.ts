import { type GradientTransformation, type TrainingMethod, erm } from "@samlab/core-tensor"
import type { DenseStack } from "./dense/structure.js"
import { SamConfigError } from "./errors.js"
import { samFamily } from "./method.js"

/** The methods a benchmark or a config names by key. */
export const samFamilyKeys = ["sgd", "sam", "asam", "sam1", "lsam", "jsam", "saner"] as const
export type SamFamilyKey = (typeof samFamilyKeys)[number]

export interface SamFamilyMethodOptions<S> {
  readonly base: GradientTransformation<S>
  /** Required for every key but "sgd". */
  readonly rho?: number
  /** m-sharpness for sam/asam/lsam/jsam; "sam1" fixes it to 1. */
  readonly chunkSize?: number
  /** Batched path for dense stacks (ignored by "asam", "saner" and "sgd", which do not use it). */
  readonly dense?: DenseStack
  /** Required for "saner": the scale of group B. */
  readonly alpha?: number
}

/**
 * One call from a key to a method: "sgd" = plain training with `base`; "sam", "asam",
 * "lsam", "jsam" (per batch, or per `chunkSize`); "sam1" = SAM with one perturbation per
 * example (1-SAM); "saner" = SANER with `alpha` (whole batch).
 */
export const makeSamFamilyMethod = <S>(key: SamFamilyKey, options: SamFamilyMethodOptions<S>): TrainingMethod<S> => {
  if (!samFamilyKeys.includes(key)) throw new SamConfigError("makeSamFamilyMethod", "key", `must be one of ${samFamilyKeys.join(", ")}, got ${String(key)}`)
  const { base, rho, chunkSize, dense, alpha } = options
  if (key === "sgd") return erm(base)
  if (rho === undefined) throw new SamConfigError("makeSamFamilyMethod", "rho", `is required for "${key}"`)
  switch (key) {
    case "sam":
      return samFamily({ base, rho, chunkSize, dense })
    case "asam":
      return samFamily({ base, rho, chunkSize, adaptive: true })
    case "sam1":
      if (chunkSize !== undefined && chunkSize !== 1) throw new SamConfigError("makeSamFamilyMethod", "chunkSize", `is 1 for "sam1", got ${chunkSize}`)
      return samFamily({ base, rho, chunkSize: 1, dense })
    case "lsam":
    case "jsam":
      return samFamily({ base, rho, chunkSize, dense, variant: key })
    case "saner":
      return samFamily({ base, rho, chunkSize, alpha, variant: "saner" })
  }
}
