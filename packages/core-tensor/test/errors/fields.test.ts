import { describe, expect, it } from "vitest"
import { type FieldFailure, booleanField, nonEmptyString, nonNegativeFinite, oneOf, positiveInt, positiveIntList } from "../../src/errors/fields.js"

class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string
  ) {
    super(`${field}: ${problem}`)
  }
}
const fail: FieldFailure = (field, problem) => {
  throw new FieldError(field, problem)
}
const problemOf = (check: () => unknown): string => {
  try {
    check()
  } catch (e) {
    if (e instanceof FieldError) return e.message
    throw e
  }
  throw new Error("expected a FieldError")
}

describe("field checks", () => {
  it("return the value when it passes", () => {
    expect(positiveInt(3, "n", fail)).toBe(3)
    expect(positiveIntList([1, 2], "sizes", fail, 1)).toEqual([1, 2])
    expect(nonNegativeFinite(0, "lambda", fail)).toBe(0)
    expect(oneOf("b", ["a", "b"] as const, "kind", fail)).toBe("b")
    expect(booleanField(false, "bias", fail)).toBe(false)
    expect(nonEmptyString("x", "name", fail)).toBe("x")
  })

  it("report the problem through the caller's failure, naming the field and the value", () => {
    expect(problemOf(() => positiveInt(1.5, "n", fail))).toBe("n: must be a positive integer, got 1.5")
    expect(problemOf(() => positiveInt(0, "n", fail))).toBe("n: must be a positive integer, got 0")
    expect(problemOf(() => positiveIntList([4, -1], "sizes", fail))).toBe("sizes[1]: must be a positive integer, got -1")
    expect(problemOf(() => positiveIntList([], "sizes", fail, 1))).toBe("sizes: must have at least 1 entry, got 0")
    expect(problemOf(() => positiveIntList("4", "sizes", fail))).toBe('sizes: must be an array of positive integers, got "4"')
    expect(problemOf(() => nonNegativeFinite(Number.NaN, "lambda", fail))).toBe("lambda: must be a finite number >= 0, got NaN")
    expect(problemOf(() => nonNegativeFinite(Number.POSITIVE_INFINITY, "lambda", fail))).toBe("lambda: must be a finite number >= 0, got Infinity")
    expect(problemOf(() => oneOf("c", ["a", "b"], "kind", fail))).toBe('kind: must be one of "a", "b", got "c"')
    expect(problemOf(() => booleanField(undefined, "bias", fail))).toBe("bias: must be a boolean, got nothing")
    expect(problemOf(() => nonEmptyString("", "name", fail))).toBe('name: must be a non-empty string, got ""')
  })
})
