import { Data } from "effect"
import { TaggedError } from "@samlab/core-tensor"

/** A theory computation got an input outside its domain: `where` names the function, `field` the input. */
export class TheoryConfigError extends TaggedError("TheoryConfigError") {
  constructor(
    readonly where: string,
    readonly field: string,
    readonly reason: string
  ) {
    super(`${where}: ${field} ${reason}`)
  }
}

/** A theory step failed while computing (wraps the cause; names the step and the run). */
export class TheoryRunError extends Data.TaggedError("TheoryRunError")<{ readonly step: string; readonly run: string; readonly cause: unknown }> {
  override get message(): string {
    return `${this.step} (${this.run}): ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

export const requireInt = (where: string, field: string, value: number, min: number): number => {
  if (!Number.isInteger(value) || value < min) throw new TheoryConfigError(where, field, `must be an integer >= ${min}, got ${String(value)}`)
  return value
}

export const requireFinite = (where: string, field: string, value: number, min = -Infinity, exclusive = false): number => {
  const ok = typeof value === "number" && Number.isFinite(value) && (exclusive ? value > min : value >= min)
  const bound = min === -Infinity ? "" : ` ${exclusive ? ">" : ">="} ${min}`
  if (!ok) throw new TheoryConfigError(where, field, `must be a finite number${bound}, got ${String(value)}`)
  return value
}
