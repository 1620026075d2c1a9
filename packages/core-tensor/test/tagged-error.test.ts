import { Effect, Exit } from "effect"
import { describe, expect, expectTypeOf, it } from "vitest"
import { TaggedError } from "../src/index.js"

class RhoError extends TaggedError("RhoError") {
  constructor(
    readonly where: string,
    readonly rho: number
  ) {
    super(`${where}: rho must be >= 0, got ${rho}`)
  }
}

class BareError extends TaggedError("BareError") {}

describe("TaggedError", () => {
  it("builds an Error subclass whose _tag and name are the tag", () => {
    const e = new RhoError("sam", -1)
    expect(e).toBeInstanceOf(Error)
    expect(e).toBeInstanceOf(RhoError)
    expect(e).not.toBeInstanceOf(BareError)
    expect(e._tag).toBe("RhoError")
    expect(e.name).toBe("RhoError")
    expect(e.message).toBe("sam: rho must be >= 0, got -1")
    expect(e.where).toBe("sam")
    expect(e.rho).toBe(-1)
    expect(String(e)).toBe("RhoError: sam: rho must be >= 0, got -1")
    expect(e.stack).toMatch(/^RhoError: sam: rho must be >= 0, got -1\n\s+at /)
    expect(e.stack).toContain("tagged-error.test.ts")
    expectTypeOf(e._tag).toEqualTypeOf<"RhoError">()
    expectTypeOf(e.name).toEqualTypeOf<"RhoError">()
    expectTypeOf(e).toMatchTypeOf<TaggedError<"RhoError">>()
  })

  it("keeps Error's constructor when the subclass declares none (message and cause)", () => {
    const cause = new Error("root")
    const e = new BareError("bare", { cause })
    expect(e).toBeInstanceOf(Error)
    expect(e).toMatchObject({ _tag: "BareError", name: "BareError", message: "bare", cause })
    expect(new BareError().message).toBe("")
    expect(() => {
      throw new BareError("thrown")
    }).toThrow(BareError)
  })

  it("gives each call its own class", () => {
    const A = TaggedError("Same")
    const B = TaggedError("Same")
    expect(new A()).not.toBeInstanceOf(B)
    expect(Object.getPrototypeOf(RhoError)).not.toBe(Object.getPrototypeOf(BareError))
  })

  it("is matched by Effect.catchTag, which narrows the handled error and the rest", () => {
    const fails = (e: RhoError | BareError): Effect.Effect<string, RhoError | BareError> => Effect.fail(e)
    const handled = (e: RhoError | BareError) =>
      fails(e).pipe(
        Effect.catchTag("RhoError", (err) => {
          expectTypeOf(err).toEqualTypeOf<RhoError>()
          return Effect.succeed(`caught ${err.where} ${err.rho}`)
        })
      )
    expectTypeOf(handled).returns.toEqualTypeOf<Effect.Effect<string, BareError>>()

    expect(Effect.runSync(handled(new RhoError("sam", -2)))).toBe("caught sam -2")
    const exit = Effect.runSyncExit(handled(new BareError("other")))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(Exit.findErrorOption(exit)).toMatchObject({ _tag: "Some", value: { _tag: "BareError", message: "other" } })
  })
})
