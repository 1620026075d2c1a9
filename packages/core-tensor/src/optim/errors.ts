import { TaggedError } from "../errors/tagged-error.js"

/** An optimizer or training method built with an invalid setting (`field` names it). */
export class OptimizerConfigError extends TaggedError("OptimizerConfigError") {
  constructor(
    readonly optimizer: string,
    readonly field: string,
    readonly reason: string
  ) {
    super(`${optimizer}: ${field} ${reason}`)
  }
}

/** The training loss was NaN or infinite at the params a step started from. */
export class NonFiniteLossError extends TaggedError("NonFiniteLossError") {
  constructor(
    readonly method: string,
    readonly stepNumber: number,
    readonly loss: number
  ) {
    super(`${method}: loss is ${loss} at step ${stepNumber} (diverged or bad input); no update was made`)
  }
}
