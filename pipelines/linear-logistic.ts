/**
 * The paper's Section 3 toy: linear logistic regression on a Gaussian mixture with label
 * noise, full-batch GD (rho = 0) vs 1-SAM over a rho grid. Tracks test accuracy, clean vs
 * noisy training accuracy, the clean/noisy gradient-weight ratio, and checks the autodiff
 * 1-SAM gradients against the closed form sigma(-m + rho||x||)/sigma(-m) at every record.
 */
import { makePipeline, NonNegative, NonNegativeInt, PositiveInt, withDefault } from "@samlab/pipeline"
import { PositiveFinite, linearLogisticReportStep, linearLogisticSummaryStep, linearLogisticTrainStep, mixtureDataStep, mixtureSchema } from "@samlab/theory"
import { Schema } from "effect"
import { BackendSchema, backendLayer } from "./common.js"

export const LinearLogisticConfig = Schema.Struct({
  data: withDefault(mixtureSchema({ n: 100, nTest: 2000, d: 200, muNorm: 2.5, sigma: 1, noiseRate: 0.2 }), {}),
  /** 0 is plain full-batch GD. */
  rhos: withDefault(Schema.Array(NonNegative), [0, 0.1, 0.2, 0.4]),
  seeds: withDefault(Schema.Array(Schema.Int), [0, 1, 2]),
  lr: withDefault(PositiveFinite, 0.05),
  steps: withDefault(NonNegativeInt, 800),
  recordEvery: withDefault(PositiveInt, 5),
  /** ||w_0||: w_0 ~ N(0, initScale^2/d I) per seed (0 starts at w = 0; see the README for why the default is 1). */
  initScale: withDefault(NonNegative, 1),
  backend: BackendSchema
})
export type LinearLogisticConfig = typeof LinearLogisticConfig.Type

export const linearLogistic = makePipeline({
  name: "linear-logistic",
  description: "full-batch GD vs 1-SAM on linear logistic regression with label noise (paper Section 3)",
  config: LinearLogisticConfig,
  presets: {
    quick: { data: { n: 40, nTest: 500, d: 80 }, rhos: [0, 0.4], seeds: [0], steps: 150, recordEvery: 5 }
  }
})
  .matrix((c) => ({ rho: c.rhos, seed: c.seeds }))
  .step(mixtureDataStep, { config: (c, cell) => ({ ...c.data, seed: cell.values.seed }) })
  .step(linearLogisticTrainStep, {
    needs: ["data"],
    pick: ["lr", "steps", "recordEvery", "initScale"],
    config: (_c, { values: { rho, seed } }) => ({ rho, seed })
  })
  .aggregate(linearLogisticSummaryStep, { cellNeeds: ["train"] })
  .aggregate(linearLogisticReportStep, { cellNeeds: ["train"], needs: ["summary"], config: (c) => ({ config: c }) })
  .provide(backendLayer)

export default linearLogistic
