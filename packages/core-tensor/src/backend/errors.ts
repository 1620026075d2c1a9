import { Data } from "effect"

/** The requested backend cannot be used; `packageName` is what to install. */
export class BackendUnavailableError extends Data.TaggedError("BackendUnavailableError")<{
  readonly backend: string
  readonly packageName: string
  readonly reason: string
}> {
  override get message(): string {
    return `backend "${this.backend}" is unavailable: ${this.reason}`
  }
}
