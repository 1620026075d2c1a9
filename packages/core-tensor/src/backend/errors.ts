import { TaggedError } from "../errors/tagged-error.js"

/** The requested backend cannot be used; `packageName` is what to install ("" when nothing would help). */
export class BackendUnavailableError extends TaggedError("BackendUnavailableError") {
  constructor(
    readonly backend: string,
    readonly packageName: string,
    readonly reason: string
  ) {
    super(`backend "${backend}" is unavailable: ${reason}`)
  }
}
