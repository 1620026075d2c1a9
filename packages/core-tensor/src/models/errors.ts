import { TaggedError } from "../errors/tagged-error.js"

/**
 * Failures of model construction and application. Plain classes with a `_tag`, so Effect
 * callers can match them with `Effect.catchTag` as well as with `instanceof`.
 */

/** A model configuration or `ModelSpec` field is invalid; `field` is its path, e.g. `spec.hidden[1]`. */
export class ModelSpecError extends TaggedError("ModelSpecError") {
  constructor(
    readonly field: string,
    readonly reason: string
  ) {
    super(`${field}: ${reason}`)
  }
}

/** The input tensor given to `apply` does not fit the model. */
export class ModelInputError extends TaggedError("ModelInputError") {
  constructor(
    readonly model: string,
    readonly expected: string,
    readonly got: readonly number[]
  ) {
    super(`${model}.apply: input of shape [${got.join(", ")}] where ${expected} was expected`)
  }
}

/** A parameter or state tensor `apply` needs is missing or has the wrong shape. */
export class ModelParamError extends TaggedError("ModelParamError") {
  constructor(
    readonly model: string,
    readonly param: string,
    readonly reason: string
  ) {
    super(`${model}.apply: "${param}" ${reason}`)
  }
}
