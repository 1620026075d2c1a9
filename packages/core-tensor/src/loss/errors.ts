import { TaggedError } from "../errors/tagged-error.js"

/**
 * Labels that do not fit the logits they are scored against: wrong rank, dtype, count, or
 * a class index outside [0, numClasses). `where` names the call site.
 */
export class LabelMismatchError extends TaggedError("LabelMismatchError") {
  constructor(
    readonly where: string,
    readonly reason: string
  ) {
    super(`${where}: ${reason}`)
  }
}
