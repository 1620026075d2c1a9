import { Effect, Schema } from "effect"

/** A field with a default: absent in the encoded config means `value`. */
export const withDefault = <S extends Schema.Top>(schema: S, value: S["Encoded"]) => schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))

export const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
export const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
export const NonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
export const Fraction = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
