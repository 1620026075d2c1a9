import { describe, expect, it } from "vitest"
import { torchBenchScript } from "../src/commands/bench.js"

describe("samlab bench --torch", () => {
  it("finds the PyTorch script in the package's own torch/ folder (shipped in the tarball, not the repository's native package)", () => {
    expect(torchBenchScript()).toMatch(/tools\/cli\/torch\/torch_bench\.py$/)
  })
})
