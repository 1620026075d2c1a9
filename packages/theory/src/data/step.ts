import { Fraction, makeStep, NonNegative, PositiveInt } from "@samlab/pipeline"
import { Effect, Schema } from "effect"
import { TheoryRunError } from "../errors.js"
import { type NoisyMixture, makeNoisyMixture } from "./mixture.js"

export const MixtureDataConfigSchema = Schema.Struct({
  n: PositiveInt,
  nTest: PositiveInt,
  d: PositiveInt,
  muNorm: NonNegative,
  sigma: NonNegative,
  noiseRate: Fraction,
  seed: Schema.Int
})
export type MixtureDataConfig = typeof MixtureDataConfigSchema.Type

/** Draws the noisy Gaussian mixture of one seed (in memory, no output codec: recomputed when needed; cheap). */
export const mixtureDataStep = makeStep({
  name: "data",
  description: "noisy Gaussian mixture: x = t mu + sigma N(0, I), round(rate n) training labels flipped, clean test set",
  config: MixtureDataConfigSchema,
  run: (c: MixtureDataConfig): Effect.Effect<NoisyMixture, TheoryRunError> =>
    Effect.try({ try: () => makeNoisyMixture(c), catch: (cause) => new TheoryRunError({ step: "data", run: `seed=${c.seed}`, cause }) })
})
