import { type GradientTransformation, type TrainingMethod, erm } from "@samlab/core-tensor"
import { SamConfigError } from "./errors.js"
import { samFamily } from "./method.js"
import type { BatchedStructure } from "./options.js"

/**
 * The methods a benchmark or a config names by key. `erm` is the base optimizer alone (plain
 * empirical risk minimization, `erm(base)`), whatever the base is.
 */
export const samFamilyKeys = ["erm", "sam", "asam", "sam1", "lsam", "jsam", "saner"] as const
export type SamFamilyKey = (typeof samFamilyKeys)[number]

/** Keys that were renamed, old -> new: the error for an old key names the new one. */
export const renamedMethodKeys: Readonly<Record<string, SamFamilyKey>> = { sgd: "erm" }

/** "`sgd` is now `erm` ..." for a renamed key, else the list of keys; `known` is the caller's list. */
export const unknownMethodKeyMessage = (key: unknown, known: readonly string[]): string => {
  const renamed = typeof key === "string" ? renamedMethodKeys[key] : undefined
  return renamed !== undefined
    ? `"${String(key)}" is now "${renamed}" (the base optimizer alone, whichever base is configured)`
    : `must be one of ${known.join(", ")}, got ${JSON.stringify(key)}`
}

export interface SamFamilyMethodOptions<S> {
  readonly base: GradientTransformation<S>
  /** Required for every key but "erm". */
  readonly rho?: number
  /** m-sharpness for sam/asam/lsam/jsam; "sam1" fixes it to 1. */
  readonly chunkSize?: number
  /** Batched path for dense stacks and conv stacks (ignored by "asam", "saner" and "erm", which do not use it). */
  readonly batched?: BatchedStructure
  /** Required for "saner": the scale of group B. */
  readonly alpha?: number
}

/**
 * One call from a key to a method: "erm" = plain training with `base`; "sam", "asam",
 * "lsam", "jsam" (per batch, or per `chunkSize`); "sam1" = SAM with one perturbation per
 * example (1-SAM); "saner" = SANER with `alpha` (whole batch).
 */
export const makeSamFamilyMethod = <S>(key: SamFamilyKey, options: SamFamilyMethodOptions<S>): TrainingMethod<S> => {
  if (!samFamilyKeys.includes(key)) throw new SamConfigError("makeSamFamilyMethod", "key", unknownMethodKeyMessage(key, samFamilyKeys))
  const { base, rho, chunkSize, batched, alpha } = options
  if (key === "erm") return erm(base)
  if (rho === undefined) throw new SamConfigError("makeSamFamilyMethod", "rho", `is required for "${key}"`)
  switch (key) {
    case "sam":
      return samFamily({ base, rho, chunkSize, batched })
    case "asam":
      return samFamily({ base, rho, chunkSize, adaptive: true })
    case "sam1":
      if (chunkSize !== undefined && chunkSize !== 1) throw new SamConfigError("makeSamFamilyMethod", "chunkSize", `is 1 for "sam1", got ${chunkSize}`)
      return samFamily({ base, rho, chunkSize: 1, batched })
    case "lsam":
    case "jsam":
      return samFamily({ base, rho, chunkSize, batched, variant: key })
    case "saner":
      return samFamily({ base, rho, chunkSize, alpha, variant: "saner" })
  }
}
