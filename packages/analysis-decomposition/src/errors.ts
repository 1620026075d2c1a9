import { TaggedError } from "@samlab/core-tensor"

/**
 * Failures of the analysis package. Plain classes with a `_tag`, so Effect callers can match
 * them with `Effect.catchTag` as well as with `instanceof`.
 */

/** An option or argument is invalid; `field` is its path, e.g. `perturbation.rho` or `train.labels[12]`. */
export class AnalysisInputError extends TaggedError("AnalysisInputError") {
  constructor(
    readonly where: string,
    readonly field: string,
    readonly reason: string
  ) {
    super(`${where}: ${field} ${reason}`)
  }
}

/** The layered (batched per-example) engine cannot express this model. */
export class UnsupportedModelError extends TaggedError("UnsupportedModelError") {
  constructor(
    readonly model: string,
    readonly reason: string
  ) {
    super(`model "${model}": ${reason}`)
  }
}

/** A `ReportInput` (parsed JSON) is malformed; `path` names the field, e.g. `methods.sam.perEpoch[3].testAcc`. */
export class ReportInputError extends TaggedError("ReportInputError") {
  constructor(
    readonly path: string,
    readonly reason: string
  ) {
    super(`report input ${path}: ${reason}`)
  }
}
