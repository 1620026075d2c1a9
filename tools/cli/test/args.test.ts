import { describe, expect, it } from "vitest"
import { UsageError, parseArgs, positiveIntOption } from "../src/args.js"

describe("command-line options", () => {
  it("--concurrency must be a whole number of at least 1", () => {
    expect(positiveIntOption(parseArgs(["--concurrency", "2"]), "concurrency")).toBe(2)
    expect(positiveIntOption(parseArgs([]), "concurrency")).toBeUndefined()
    for (const bad of ["0", "-1", "1.5"]) {
      const run = () => positiveIntOption(parseArgs([`--concurrency=${bad}`]), "concurrency")
      expect(run).toThrow(UsageError)
      expect(run).toThrow(`option --concurrency must be a whole number of at least 1, got "${bad}"`)
    }
  })
})
