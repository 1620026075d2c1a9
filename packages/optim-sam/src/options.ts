import type { GradientTransformation } from "@samlab/core-tensor"
import type { ConvStack } from "./conv/structure.js"
import type { DenseStack } from "./dense/structure.js"
import { ChunkSizeError, InvalidRhoError, SamConfigError } from "./errors.js"
import { checkAlpha } from "./saner.js"

/**
 * Which part of the per-example gradient `J(w)^T u(w)` sees the perturbed weights:
 * `sam` both, `lsam` only the logit term u, `jsam` only the Jacobian J; `saner` is SAM's
 * gradient with the coordinates SAM already shrinks scaled by `alpha` (Luong et al. 2024).
 */
export type SamVariant = "sam" | "lsam" | "jsam" | "saner"
export const samVariants: readonly SamVariant[] = ["sam", "lsam", "jsam", "saner"]

/** The estimator's settings: which gradient SAM's family hands to a base optimizer. */
export interface SamEstimatorOptions {
  /** Perturbation radius; 0 gives exactly the base optimizer. */
  readonly rho: number
  readonly variant?: SamVariant
  /** ASAM: eps = rho * w^2 g / || |w| g ||. */
  readonly adaptive?: boolean
  /** m-sharpness: one perturbation per m consecutive examples (1 = 1-SAM); absent = the whole batch. */
  readonly chunkSize?: number
  /**
   * The model is this stack of dense layers (`denseStack`) or this conv net without batch norm
   * (`convStack`): enables the batched path (every chunk size in about two batched passes)
   * instead of the per-chunk loop. Must describe the same network as the `forward` the step
   * is given; not supported with `adaptive`.
   */
  readonly batched?: BatchedStructure
  /**
   * SANER only (required there): the scale of group B, the coordinates with
   * `0 < gs / (g0 + 1e-8) < 1`. 1 gives SAM; 0 drops them.
   */
  readonly alpha?: number
}

export interface SamFamilyOptions<S = unknown> extends SamEstimatorOptions {
  /** The optimizer that takes the method's gradient (weight decay and momentum apply there, once, at w). */
  readonly base: GradientTransformation<S>
}

/** A model structure the batched per-chunk path knows. */
export type BatchedStructure = DenseStack | ConvStack

export interface CheckedSamOptions {
  readonly rho: number
  readonly variant: SamVariant
  readonly adaptive: boolean
  readonly chunkSize: number | undefined
  readonly batched: BatchedStructure | undefined
  /** SANER's alpha (1 for the other variants, where it is unused). */
  readonly alpha: number
}

export const checkRho = (rho: number, where: string): number => {
  if (typeof rho !== "number" || !Number.isFinite(rho) || rho < 0) throw new InvalidRhoError(where, rho)
  return rho
}

export const checkChunkSize = (chunkSize: number | undefined, where: string): number | undefined => {
  if (chunkSize === undefined) return undefined
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new ChunkSizeError(where, chunkSize, undefined)
  return chunkSize
}

/** The number of chunks of a batch, refusing a chunk size that does not divide it. */
export const chunkCount = (batchSize: number, chunkSize: number | undefined, where: string): number => {
  if (chunkSize === undefined) return 1
  if (batchSize % chunkSize !== 0) throw new ChunkSizeError(where, chunkSize, batchSize)
  return batchSize / chunkSize
}

export const checkBase = <S>(base: GradientTransformation<S> | undefined, where: string): GradientTransformation<S> => {
  if (base === undefined || typeof base.update !== "function") throw new SamConfigError(where, "base", "must be a GradientTransformation (e.g. sgd({ lr }))")
  return base
}

export const checkSamOptions = (o: SamEstimatorOptions, where: string): CheckedSamOptions => {
  const variant = o.variant ?? "sam"
  if (!samVariants.includes(variant)) throw new SamConfigError(where, "variant", `must be one of ${samVariants.join(", ")}, got ${String(variant)}`)
  const adaptive = o.adaptive ?? false
  // the option's old name, from untyped callers: refused rather than ignored (which would run the loop)
  if ("dense" in o) throw new SamConfigError(where, "dense", 'is now "batched" (denseStack() or convStack())')
  if (adaptive && o.batched !== undefined)
    throw new SamConfigError(where, "batched", "the batched path does not support adaptive (ASAM); leave batched unset to use the chunk loop")
  if (variant === "saner") {
    // the paper's method and the fixtures are whole-batch; a per-chunk mask is not defined there
    if (o.chunkSize !== undefined) throw new SamConfigError(where, "chunkSize", "is not supported by SANER (one mask per batch); leave it unset")
    if (o.batched !== undefined)
      throw new SamConfigError(where, "batched", "is not supported by SANER (whole-batch, the chunk loop costs the same); leave it unset")
  } else if (o.alpha !== undefined) throw new SamConfigError(where, "alpha", `is SANER's option, not ${variant}'s`)
  const alpha = variant === "saner" ? checkAlpha(o.alpha, where) : 1
  return { rho: checkRho(o.rho, where), variant, adaptive, chunkSize: checkChunkSize(o.chunkSize, where), batched: o.batched, alpha }
}
