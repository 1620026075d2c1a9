import { describe, expect, it } from "vitest"
import { expectNoLeak, sgd } from "@samlab/core-tensor"
import { type SamVariant, denseStack, samFamily } from "../src/index.js"
import { type GoldenFixture, goldenFixtures } from "@samlab/golden"
import { runGolden } from "./golden.js"

const methodFor = (c: GoldenFixture, batched: boolean) => {
  const o = c.optimizer
  return samFamily({
    rho: o.rho!,
    chunkSize: o.chunkSize,
    adaptive: o.method === "asam",
    variant: (o.method === "asam" ? "sam" : o.method) as SamVariant,
    ...(o.method === "saner" ? { alpha: o.alpha! } : {}),
    base: sgd({ lr: o.base.lr, momentum: o.base.momentum, weightDecay: o.base.weightDecay }),
    batched: batched ? denseStack({ activation: c.model.activation }) : undefined
  })
}

describe("golden fixtures (PyTorch float64): every parameter after every step within 1e-4", () => {
  for (const c of goldenFixtures(["sam", "asam", "lsam", "jsam", "saner"])) {
    it(`${c.name}, chunk loop`, async () => {
      await expectNoLeak(c.name, () => expect(runGolden(c, methodFor(c, false))).toBeUndefined())
    })
    if (c.optimizer.method !== "asam" && c.optimizer.method !== "saner") {
      it(`${c.name}, batched dense path`, async () => {
        await expectNoLeak(c.name, () => expect(runGolden(c, methodFor(c, true))).toBeUndefined())
      })
    }
  }
})
