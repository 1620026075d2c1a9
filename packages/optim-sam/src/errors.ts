import { TaggedError } from "@samlab/core-tensor"

/** rho must be a finite number >= 0 (0 gives the base optimizer's trajectory). */
export class InvalidRhoError extends TaggedError("InvalidRhoError") {
  constructor(
    readonly where: string,
    readonly rho: number
  ) {
    super(`${where}: rho must be a finite number >= 0, got ${rho}`)
  }
}

/**
 * The chunk size m must be a positive integer that divides the batch: the method is
 * defined as the mean over equal chunks, so a smaller last chunk is refused rather than
 * silently weighted.
 */
export class ChunkSizeError extends TaggedError("ChunkSizeError") {
  constructor(
    readonly where: string,
    readonly chunkSize: number,
    readonly batchSize: number | undefined
  ) {
    super(
      batchSize === undefined
        ? `${where}: chunkSize must be a positive integer, got ${chunkSize}`
        : `${where}: chunkSize ${chunkSize} does not divide the batch of ${batchSize} examples (use a batch size that is a multiple of it)`
    )
  }
}

/** Any other invalid SAM-family setting (`field` names it). */
export class SamConfigError extends TaggedError("SamConfigError") {
  constructor(
    readonly where: string,
    readonly field: string,
    readonly reason: string
  ) {
    super(`${where}: ${field} ${reason}`)
  }
}

/** With `checkFinite`, a `SAMOptimizer` step left these variables with a NaN or an infinity (the run diverged). */
export class NonFiniteUpdateError extends TaggedError("NonFiniteUpdateError") {
  constructor(
    readonly iteration: number,
    readonly variables: readonly string[]
  ) {
    super(`SAMOptimizer: after step ${iteration} ${variables.join(", ")} hold non-finite values (the run diverged: lower the learning rate or rho)`)
  }
}
