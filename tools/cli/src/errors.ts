import { Data } from "effect"

/** A command that ran and failed (bad data, a failed run): exit code 1, one line on stderr naming the command. */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{ readonly command: string; readonly cause: unknown }> {
  override get message(): string {
    return this.cause instanceof Error ? this.cause.message : String(this.cause)
  }
}

/** `catch` of `Effect.tryPromise` in a command's handler. */
export const commandFailure =
  (command: string) =>
  (cause: unknown): CommandFailed =>
    new CommandFailed({ command, cause })
