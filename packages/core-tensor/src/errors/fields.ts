/**
 * Field checks for the plain (Effect-free) validators of core-tensor and the packages built on it:
 * each returns the value, narrowed, or reports the problem at `field` through `fail`, which throws
 * the caller's typed error (`ModelSpecError`, `OptimizerConfigError`, ...). The one module of such
 * checks; code in the Effect layer declares a Schema instead.
 */

/** Throws the caller's typed error for `problem` ("must be ...") at `field`. */
export type FieldFailure = (field: string, problem: string) => never

/** A value as an error message shows it: numbers as written (NaN, Infinity), anything else as JSON. */
export const shownValue = (value: unknown): string =>
  typeof value === "number" ? String(value) : value === undefined ? "nothing" : String(JSON.stringify(value))

export const positiveInt = (value: unknown, field: string, fail: FieldFailure): number => {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) return fail(field, `must be a positive integer, got ${shownValue(value)}`)
  return value
}

/** An array of positive integers with at least `minLength` entries; an entry's field is `field[i]`. */
export const positiveIntList = (value: unknown, field: string, fail: FieldFailure, minLength = 0): readonly number[] => {
  if (!Array.isArray(value)) return fail(field, `must be an array of positive integers, got ${shownValue(value)}`)
  if (value.length < minLength) return fail(field, `must have at least ${minLength} entr${minLength === 1 ? "y" : "ies"}, got ${value.length}`)
  return value.map((v, i) => positiveInt(v, `${field}[${i}]`, fail))
}

export const nonNegativeFinite = (value: unknown, field: string, fail: FieldFailure): number => {
  if (typeof value !== "number" || !(value >= 0 && Number.isFinite(value))) return fail(field, `must be a finite number >= 0, got ${shownValue(value)}`)
  return value
}

export const oneOf = <T extends string>(value: unknown, allowed: readonly T[], field: string, fail: FieldFailure): T => {
  const found = allowed.find((a) => a === value)
  return found ?? fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${shownValue(value)}`)
}

export const booleanField = (value: unknown, field: string, fail: FieldFailure): boolean => {
  if (typeof value !== "boolean") return fail(field, `must be a boolean, got ${shownValue(value)}`)
  return value
}

export const nonEmptyString = (value: unknown, field: string, fail: FieldFailure): string => {
  if (typeof value !== "string" || value.length === 0) return fail(field, `must be a non-empty string, got ${shownValue(value)}`)
  return value
}
