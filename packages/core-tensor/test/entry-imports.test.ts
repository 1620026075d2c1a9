import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { describe, expect, it } from "vitest"
import { sourceAliases } from "../../../vitest.shared.js"

/**
 * The packages a bundle of `entry` reaches: esbuild follows the sources (samlab's through their
 * source aliases) and leaves every other package external, so its metafile lists each bare
 * import the entry's import graph makes, wherever in the graph it is.
 */
const packagesReached = async (entry: string): Promise<string[]> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    logLevel: "silent",
    alias: sourceAliases,
    plugins: [
      {
        name: "external-packages",
        setup: (b) => b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith("@samlab/") ? undefined : { path: a.path, external: true }))
      }
    ]
  })
  const bare = Object.values(result.metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path))
  return [...new Set(bare.map((p) => (p.startsWith("@") ? p.split("/").slice(0, 2).join("/") : p.split("/")[0]!)))].sort()
}

const source = (pkg: string, entry = "index.ts") => fileURLToPath(new URL(`../../${pkg}/src/${entry}`, import.meta.url))
const isEffect = (p: string) => p === "effect" || p.startsWith("@effect/")

describe("a user of the optimizers loads neither Effect nor the pipeline DSL", () => {
  it.each(["core-tensor", "optim-sam", "optim-jacobian-reg"])("@samlab/%s's main entry reaches tfjs only", async (pkg) => {
    const reached = await packagesReached(source(pkg))
    expect(reached.filter(isEffect)).toEqual([])
    expect(reached).not.toContain("@samlab/pipeline")
    expect(reached).toContain("@tensorflow/tfjs-core")
  })

  it("the Effect parts are on @samlab/core-tensor/effect", async () => {
    // the check above would see an Effect import: this entry has them, reached the same way
    expect(await packagesReached(source("core-tensor", "effect.ts"))).toContain("effect")
  })
})
