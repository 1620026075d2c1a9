import type { PipelineCellValues, PipelineOutputs } from "@samlab/pipeline"
import type { MethodKey, TrainResult } from "@samlab/steps"
import { describe, expectTypeOf, it } from "vitest"
import type { deepLinear } from "../deep-linear.js"
import type { linearLogistic } from "../linear-logistic.js"
import type { paperCifar10 } from "../paper-cifar10.js"

describe("the experiments' wiring is typed", () => {
  it("gives each pipeline's cells their typed axes", () => {
    expectTypeOf<PipelineCellValues<typeof paperCifar10>>().toEqualTypeOf<{ readonly method: MethodKey; readonly seed: number }>()
    expectTypeOf<PipelineCellValues<typeof linearLogistic>>().toEqualTypeOf<{ readonly rho: number; readonly seed: number }>()
    expectTypeOf<PipelineCellValues<typeof deepLinear>>().toEqualTypeOf<{ readonly rho: number; readonly seed: number }>()
  })

  it("types the per-cell outputs the aggregate steps read", () => {
    expectTypeOf<PipelineOutputs<typeof paperCifar10>["train"]>().toEqualTypeOf<TrainResult>()
  })
})
