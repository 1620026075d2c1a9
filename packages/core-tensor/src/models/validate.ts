import { ModelSpecError } from "./errors.js"

/** Field checks shared by the model constructors and `makeModel`; `field` names the path in errors. */
export const positiveInt = (value: unknown, field: string): number => {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new ModelSpecError(field, `expected a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

export const positiveIntList = (value: unknown, field: string, minLength = 0): readonly number[] => {
  if (!Array.isArray(value)) throw new ModelSpecError(field, `expected an array of positive integers, got ${JSON.stringify(value)}`)
  if (value.length < minLength) throw new ModelSpecError(field, `expected at least ${minLength} entr${minLength === 1 ? "y" : "ies"}, got ${value.length}`)
  return value.map((v, i) => positiveInt(v, `${field}[${i}]`))
}

export const oneOf = <T extends string>(value: unknown, allowed: readonly T[], field: string): T => {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new ModelSpecError(field, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(value)}`)
  }
  return value as T
}

export const booleanField = (value: unknown, field: string): boolean => {
  if (typeof value !== "boolean") throw new ModelSpecError(field, `expected a boolean, got ${JSON.stringify(value)}`)
  return value
}
