import { Effect, Schema } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import { type Cell, type PipelineCellValues, type PipelineOutputs, makePipeline, makeStep } from "../src/index.js"

const Config = Schema.Struct({
  seeds: Schema.Array(Schema.Int),
  methods: Schema.Array(Schema.Literals(["sgd", "sam"])),
  lr: Schema.Finite,
  label: Schema.String
})
type Config = typeof Config.Type

const data = makeStep({ name: "data", config: Schema.Struct({ seed: Schema.Int }), run: (c: { readonly seed: number }) => Effect.succeed([c.seed]) })
const TrainConfig = Schema.Struct({ method: Schema.Literals(["sgd", "sam"]), seed: Schema.Int, lr: Schema.Finite })
const train = makeStep({
  name: "train",
  config: TrainConfig,
  output: Schema.Struct({ final: Schema.Finite }),
  run: (c: typeof TrainConfig.Type, inputs: { readonly data: readonly number[] }) => Effect.succeed({ final: c.lr * inputs.data.length })
})
const summary = makeStep({
  name: "summary",
  config: Schema.Struct({ label: Schema.String }),
  run: (
    _c: { readonly label: string },
    _inputs: { readonly cells: ReadonlyArray<{ readonly cell: Cell; readonly outputs: { readonly train: { readonly final: number } } }> }
  ) => Effect.succeed(0)
})

const base = makePipeline({ name: "typed", config: Config }).matrix((c) => ({ method: c.methods, seed: c.seeds }))

describe("pipeline wiring types", () => {
  it("types each matrix axis by its elements", () => {
    expectTypeOf<PipelineCellValues<typeof base>>().toEqualTypeOf<{ readonly method: "sgd" | "sam"; readonly seed: number }>()
    base.step(data, {
      config: (c, cell) => {
        expectTypeOf(c).toEqualTypeOf<Config>()
        expectTypeOf(cell.values.method).toEqualTypeOf<"sgd" | "sam">()
        // @ts-expect-error "rho" is not an axis of this matrix
        void cell.values.rho
        return { seed: cell.values.seed }
      }
    })
  })

  it("checks a step's config against the step's schema", () => {
    // @ts-expect-error the method axis is a string, the seed an integer
    base.step(data, { config: (_c, cell) => ({ seed: cell.values.method }) })
    // @ts-expect-error the data step has no "lr" field
    base.step(data, { config: (c, cell) => ({ seed: cell.values.seed, lr: c.lr }) })
    // @ts-expect-error a required field ("seed") and no config to give it
    base.step(data, {})
  })

  it("picks step config fields from the pipeline config's matching fields, and only those", () => {
    const withData = base.step(data, { config: (_c, cell) => ({ seed: cell.values.seed }) })
    withData.step(train, { needs: ["data"], pick: ["lr"], config: (_c, { values: { method, seed } }) => ({ method, seed }) })
    // @ts-expect-error "label" is not a field of the train step's config
    withData.step(train, { needs: ["data"], pick: ["lr", "label"], config: (_c, { values: { method, seed } }) => ({ method, seed }) })
    // @ts-expect-error "lr" is neither picked nor given
    withData.step(train, { needs: ["data"], config: (_c, { values: { method, seed } }) => ({ method, seed }) })
  })

  it("checks step inputs against the outputs of the steps they need", () => {
    const needsNumber = makeStep({ name: "b", config: Schema.Struct({}), run: (_c: {}, i: { a: number }) => Effect.succeed(i.a) })
    const givesString = makeStep({ name: "a", config: Schema.Struct({}), run: () => Effect.succeed("x") })
    const p = makePipeline({ name: "typed", config: Schema.Struct({}) }).step(givesString, {})
    // @ts-expect-error "a" gives a string where "b" needs a number
    p.step(needsNumber, { needs: ["a"] })
    // @ts-expect-error no earlier step is named "c"
    p.step(needsNumber, { needs: ["c"] })
  })

  it("gives aggregate steps the typed pipeline config and the cells' typed outputs", () => {
    const full = base
      .step(data, { config: (_c, cell) => ({ seed: cell.values.seed }) })
      .step(train, { needs: ["data"], pick: ["lr"], config: (_c, { values }) => values })
    expectTypeOf<PipelineOutputs<typeof full>["train"]>().toEqualTypeOf<{ readonly final: number }>()
    full.aggregate(summary, {
      cellNeeds: ["train"],
      config: (c) => {
        expectTypeOf(c).toEqualTypeOf<Config>()
        return { label: c.label }
      }
    })
    full.aggregate(summary, { cellNeeds: ["train"], pick: ["label"] })
    // @ts-expect-error the summary needs the train outputs, and "data" gives something else
    full.aggregate(summary, { cellNeeds: ["data"], pick: ["label"] })
  })
})
