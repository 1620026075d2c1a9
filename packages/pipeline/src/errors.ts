import { Data } from "effect"

export interface ConfigIssue {
  /** Dotted path of the field, e.g. `noise.rate` (empty for the whole config). */
  readonly path: string
  readonly message: string
}

/** A config (or an override of it) that does not decode: each issue names the field path and what was expected. */
export class ConfigDecodeError extends Data.TaggedError("ConfigDecodeError")<{
  readonly pipeline: string
  readonly step?: string | undefined
  readonly issues: readonly ConfigIssue[]
}> {
  override get message(): string {
    const where = this.step ? `${this.pipeline}/${this.step}` : this.pipeline
    return `invalid config for ${where}:\n${this.issues.map((i) => `  - ${i.path || "(config)"}: ${i.message}`).join("\n")}`
  }
}

/** `--preset NAME` names no preset of the pipeline. */
export class PresetNotFoundError extends Data.TaggedError("PresetNotFoundError")<{
  readonly pipeline: string
  readonly preset: string
  readonly available: readonly string[]
}> {
  override get message(): string {
    return `pipeline ${this.pipeline} has no preset "${this.preset}" (available: ${this.available.join(", ") || "none"})`
  }
}

/** A pipeline whose declaration is inconsistent (duplicate step names, unknown inputs). */
export class PipelineDefinitionError extends Data.TaggedError("PipelineDefinitionError")<{
  readonly pipeline: string
  readonly reason: string
}> {
  override get message(): string {
    return `pipeline ${this.pipeline} is ill-formed: ${this.reason}`
  }
}

/** A step failed: names the pipeline, the step, the matrix cell and the cause. */
export class StepFailedError extends Data.TaggedError("StepFailedError")<{
  readonly pipeline: string
  readonly step: string
  readonly cell: string
  readonly cause: unknown
}> {
  override get message(): string {
    const cause =
      this.cause instanceof Error
        ? this.cause.message
        : typeof this.cause === "object" && this.cause !== null && "message" in this.cause
          ? String((this.cause as { message: unknown }).message)
          : String(this.cause)
    return `step "${this.step}" of pipeline ${this.pipeline} failed in cell ${this.cell}: ${cause}`
  }
}

/** Reading or writing the results store failed. */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly path: string
  readonly operation: "read" | "write" | "remove"
  readonly cause: unknown
}> {
  override get message(): string {
    return `results store: cannot ${this.operation} ${this.path}: ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

/** A child process running a matrix cell exited abnormally. */
export class ExecutorError extends Data.TaggedError("ExecutorError")<{
  readonly cell: string
  readonly reason: string
}> {
  override get message(): string {
    return `executor: cell ${this.cell} failed: ${this.reason}`
  }
}

/** The services a pipeline provides itself (e.g. its tensor backend) could not be built. */
export class PipelineSetupError extends Data.TaggedError("PipelineSetupError")<{
  readonly pipeline: string
  readonly cause: unknown
}> {
  override get message(): string {
    const c = this.cause as { message?: unknown }
    return `pipeline ${this.pipeline} could not set up its services: ${typeof c?.message === "string" ? c.message : String(this.cause)}`
  }
}

export type PipelineRunError = StepFailedError | StoreError | ExecutorError | PipelineSetupError
