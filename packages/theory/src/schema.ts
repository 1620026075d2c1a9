import { Schema } from "effect"
import { Fraction, NonNegative, PositiveInt, withDefault } from "@samlab/pipeline"

/** Options of the noisy Gaussian mixture (`makeNoisyMixture`), with per-experiment defaults. */
export const mixtureSchema = (defaults: { n: number; nTest: number; d: number; muNorm: number; sigma: number; noiseRate: number }) =>
  Schema.Struct({
    /** Training examples. */
    n: withDefault(PositiveInt, defaults.n),
    /** Clean test examples. */
    nTest: withDefault(PositiveInt, defaults.nTest),
    d: withDefault(PositiveInt, defaults.d),
    /** ||mu||: x = t mu + sigma N(0, I_d). */
    muNorm: withDefault(NonNegative, defaults.muNorm),
    sigma: withDefault(NonNegative, defaults.sigma),
    /** Exactly round(noiseRate n) training labels flipped. */
    noiseRate: withDefault(Fraction, defaults.noiseRate)
  })

export const PositiveFinite = Schema.Finite.check(Schema.isGreaterThan(0))

/** A number that may be absent (NaN in memory, null in JSON: e.g. the noisy fit when nothing is flipped). */
export const MaybeNumber = Schema.NullOr(Schema.Finite)

/** NaN and +-Infinity become null (JSON has neither). */
export const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null)

/** Largest finite value; null when there are none. */
export const maxOf = (values: ReadonlyArray<number | null | undefined>): number | null => {
  const finite = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v))
  return finite.length === 0 ? null : Math.max(...finite)
}
