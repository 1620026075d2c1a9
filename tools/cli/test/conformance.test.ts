import * as tf from "@tensorflow/tfjs-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { expectNoLeak, selectBackend } from "@samlab/core-tensor"
import { type FixtureResult, closeToGolden, goldenFixtures } from "@samlab/golden"
import { FixtureError, conformanceMethods, runConformance } from "../src/conformance.js"
import { skipWithReason, webgpuUnavailable } from "../../../packages/core-tensor/test/webgpu/on-webgpu.js"

const fixtures = goldenFixtures()

beforeAll(async () => {
  await selectBackend({ backend: "cpu", log: () => {} })
})

/** Relative error <= 1e-4, absolute 1e-5 near zero; returns the first mismatch. */
const compare = (got: FixtureResult, want: FixtureResult): string | undefined => {
  const close = closeToGolden
  if (got.lossBeforeEachStep.length !== want.lossBeforeEachStep.length) return "number of steps"
  for (const [s, l] of want.lossBeforeEachStep.entries())
    if (!close(got.lossBeforeEachStep[s]!, l)) return `loss before step ${s}: ${got.lossBeforeEachStep[s]} vs ${l}`
  for (const [s, layers] of want.layersAfterEachStep.entries())
    for (const [i, layer] of layers.entries()) {
      const g = got.layersAfterEachStep[s]![i]!
      for (const [r, row] of layer.W.entries())
        for (const [c, v] of row.entries()) if (!close(g.W[r]![c]!, v)) return `step ${s} layer ${i} W[${r}][${c}]: ${g.W[r]![c]} vs ${v}`
      for (const [c, v] of layer.b.entries()) if (!close(g.b[c]!, v)) return `step ${s} layer ${i} b[${c}]: ${g.b[c]} vs ${v}`
    }
  return undefined
}

describe("golden SAM-family fixtures through runConformance", () => {
  it("has every method of the golden set registered (jacreg and saner included)", () => {
    for (const fixture of fixtures) expect(Object.keys(conformanceMethods)).toContain(fixture.optimizer.method)
    expect(fixtures.filter((f) => f.optimizer.method === "saner").length).toBeGreaterThanOrEqual(4)
  })

  for (const fixture of fixtures) {
    const { file } = fixture
    const method = fixture.optimizer.method
    it(`${file} (chunk loop over core-tensor's mlp)`, async () => {
      const got = await expectNoLeak(file, () => runConformance(fixture))
      expect(compare(got, fixture.expected)).toBeUndefined()
    })
    if (["sam", "lsam", "jsam"].includes(method)) {
      it(`${file} (batched dense path)`, () => {
        expect(compare(runConformance(fixture, { batched: true }), fixture.expected)).toBeUndefined()
      })
    }
  }
})

const noWebgpu = await webgpuUnavailable()
if (noWebgpu !== undefined) skipWithReason(noWebgpu)

describe.skipIf(noWebgpu !== undefined)("golden SAM, L-SAM, J-SAM and regularizer fixtures on webgpu (SwiftShader)", () => {
  beforeAll(async () => {
    await tf.setBackend("webgpu")
  })
  afterAll(async () => {
    await tf.setBackend("cpu")
  })
  for (const fixture of fixtures.filter((f) => ["sam", "lsam", "jsam", "jacreg"].includes(f.optimizer.method) && f.file.endsWith("arch0.json"))) {
    it(fixture.file, async () => {
      const got = await expectNoLeak(fixture.file, () => runConformance(fixture))
      expect(compare(got, fixture.expected)).toBeUndefined()
    })
  }
})

describe("malformed fixtures", () => {
  const good = {
    name: "tiny",
    model: {
      kind: "mlp",
      activation: "relu",
      layers: [
        {
          W: [
            [1, 0],
            [0, 1]
          ],
          b: [0, 0]
        },
        {
          W: [
            [1, -1],
            [0.5, 0]
          ],
          b: [0, 0.1]
        }
      ]
    },
    data: {
      x: [
        [1, 2],
        [0, -1]
      ],
      y: [0, 1]
    },
    optimizer: { method: "sam", rho: 0.05, base: { kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 0 } },
    steps: 2
  }
  const withPatch = (patch: (f: any) => void) => {
    const f = structuredClone(good)
    patch(f)
    return f
  }

  it("a well-formed fixture runs and ignores `expected`", () => {
    const r = runConformance({ ...good, expected: "anything" })
    expect(r.lossBeforeEachStep).toHaveLength(2)
    expect(r.layersAfterEachStep[1]!.map((l) => [l.W.length, l.W[0]!.length, l.b.length])).toEqual([
      [2, 2, 2],
      [2, 2, 2]
    ])
  })

  it.each([
    ["not an object", () => 3, /fixture: expected an object/],
    ["layers that do not chain", () => withPatch((f) => (f.model.layers[1].W = [[1, 2]])), /fixture.model.layers\[1\].W: expected 2 rows, got 1/],
    ["a ragged row", () => withPatch((f) => (f.data.x[1] = [1])), /fixture.data.x\[1\]: expected 2 numbers, got 1/],
    ["a label out of range", () => withPatch((f) => (f.data.y[1] = 2)), /fixture.data.y\[1\]: expected a class index in \[0, 2\)/],
    ["too few labels", () => withPatch((f) => (f.data.y = [0])), /fixture.data.y: expected 2 numbers, got 1/],
    ["a string for lr", () => withPatch((f) => (f.optimizer.base.lr = "0.1")), /fixture.optimizer.base.lr: expected a finite number/],
    ["an unknown activation", () => withPatch((f) => (f.model.activation = "gelu")), /fixture.model.activation/],
    ["an unknown method", () => withPatch((f) => (f.optimizer.method = "xsam")), /no method "xsam" is registered \(known: sgd, sam, asam, lsam, jsam/],
    ["sam without rho", () => withPatch((f) => delete f.optimizer.rho), /fixture.optimizer.rho: is required for "sam"/],
    [
      "jacreg without lambdaHead",
      () => withPatch((f) => (f.optimizer = { method: "jacreg", lambdaFeatures: 0.01, base: f.optimizer.base })),
      /fixture.optimizer.lambdaHead: is required for "jacreg"/
    ],
    ["zero steps", () => withPatch((f) => (f.steps = 0)), /fixture.steps: expected a positive integer/]
  ])("%s: a FixtureError naming the field", (_what, make, message) => {
    const run = () => runConformance(make())
    expect(run).toThrow(FixtureError)
    expect(run).toThrow(message)
  })
})
