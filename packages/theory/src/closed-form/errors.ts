import { TaggedError } from "@samlab/core-tensor"

/** A closed-form theory function got an input outside its domain (`field` names it). */
export class TheoryInputError extends TaggedError("TheoryInputError") {
  constructor(
    readonly where: string,
    readonly field: string,
    readonly reason: string
  ) {
    super(`${where}: ${field} ${reason}`)
  }
}

export const finite = (where: string, field: string, value: number): number => {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new TheoryInputError(where, field, `must be a finite number, got ${String(value)}`)
  return value
}

export const nonNegative = (where: string, field: string, value: number): number => {
  if (finite(where, field, value) < 0) throw new TheoryInputError(where, field, `must be >= 0, got ${value}`)
  return value
}

export const sign = (where: string, field: string, value: number): 1 | -1 => {
  if (value !== 1 && value !== -1) throw new TheoryInputError(where, field, `must be +1 or -1, got ${String(value)}`)
  return value
}
