import * as fields from "../errors/fields.js"
import { ModelSpecError } from "./errors.js"

/** The shared field checks (errors/fields.ts) failing with `ModelSpecError`; `field` names the path in errors. */
const specFailure: fields.FieldFailure = (field, problem) => {
  throw new ModelSpecError(field, problem)
}

export const positiveInt = (value: unknown, field: string): number => fields.positiveInt(value, field, specFailure)

export const positiveIntList = (value: unknown, field: string, minLength = 0): readonly number[] => fields.positiveIntList(value, field, specFailure, minLength)

export const oneOf = <T extends string>(value: unknown, allowed: readonly T[], field: string): T => fields.oneOf(value, allowed, field, specFailure)

export const booleanField = (value: unknown, field: string): boolean => fields.booleanField(value, field, specFailure)
