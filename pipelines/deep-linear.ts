/**
 * The paper's Section 4.2: a two-layer linear network f(x) = v^T W x with logistic loss on a
 * noisy Gaussian mixture. Per-example J-SAM (by definition, with autodiff) and plain GD on
 * the derived regularised objective, from one initialisation with one learning rate, follow
 * the same trajectory; plain GD is the baseline. Records their drift at every step.
 */
import { makePipeline, NonNegative, NonNegativeInt, PositiveInt, withDefault } from "@samlab/pipeline"
import { PositiveFinite, deepLinearReportStep, deepLinearSummaryStep, deepLinearTrainStep, mixtureDataStep, mixtureSchema } from "@samlab/theory"
import { Schema } from "effect"
import { BackendSchema, backendLayer } from "./common.js"

export const DeepLinearConfig = Schema.Struct({
  data: withDefault(mixtureSchema({ n: 100, nTest: 2000, d: 50, muNorm: 2, sigma: 1, noiseRate: 0.2 }), {}),
  hidden: withDefault(PositiveInt, 16),
  rhos: withDefault(Schema.Array(NonNegative), [0.02, 0.05, 0.1]),
  seeds: withDefault(Schema.Array(Schema.Int), [0, 1]),
  lr: withDefault(PositiveFinite, 0.05),
  steps: withDefault(NonNegativeInt, 600),
  recordEvery: withDefault(PositiveInt, 10),
  /** Multiplies core-tensor's twoLayerLinear initialisation (PyTorch's default). */
  initScale: withDefault(NonNegative, 1),
  /** Examples on which each record also checks optim-jacobian-reg's per-example jsamTwoLayerObjective (0 = off). */
  checkExamples: withDefault(NonNegativeInt, 4),
  backend: BackendSchema
})
export type DeepLinearConfig = typeof DeepLinearConfig.Type

export const deepLinear = makePipeline({
  name: "deep-linear",
  description: "two-layer linear network: J-SAM vs GD on the derived regularised objective vs plain GD (paper Section 4.2)",
  config: DeepLinearConfig,
  presets: {
    quick: { data: { n: 40, nTest: 500, d: 20 }, hidden: 8, rhos: [0.05], seeds: [0], steps: 60, recordEvery: 10, checkExamples: 2 }
  }
})
  .matrix((c) => ({ rho: c.rhos, seed: c.seeds }))
  .step(mixtureDataStep, { config: (c, cell) => ({ ...c.data, seed: cell.values.seed }) })
  .step(deepLinearTrainStep, {
    needs: ["data"],
    pick: ["hidden", "lr", "steps", "recordEvery", "initScale", "checkExamples"],
    config: (_c, { values: { rho, seed } }) => ({ rho, seed })
  })
  .aggregate(deepLinearSummaryStep, { cellNeeds: ["train"] })
  .aggregate(deepLinearReportStep, { cellNeeds: ["train"], needs: ["summary"], config: (c) => ({ config: c }) })
  .provide(backendLayer)

export default deepLinear
