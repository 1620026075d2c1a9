import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { defineConfig, type ViteUserConfig } from "vitest/config"

const root = fileURLToPath(new URL(".", import.meta.url))
const packages = [
  "core-tensor",
  "optim-sam",
  "optim-jacobian-reg",
  "data-noisy-cifar",
  "analysis-decomposition",
  "pipeline",
  "distributed",
  "steps",
  "tfjs-backend-native",
  "layers",
  "theory"
]

/** A package's subpath entries (`@samlab/core-tensor/effect`) and their sources, from its package.json `exports` (`./dist/effect.js` is built from `src/effect.ts`). */
const subpathEntries = (p: string): Array<[string, string]> => {
  const exports: Record<string, unknown> = JSON.parse(readFileSync(`${root}packages/${p}/package.json`, "utf8")).exports ?? {}
  return Object.keys(exports)
    .filter((k) => k !== "." && k !== "./package.json")
    .map((k) => [`@samlab/${p}/${k.slice(2)}`, `${root}packages/${p}/src/${k.slice(2)}.ts`])
}

/**
 * Tests run against the sources of sibling packages, so no build is needed first. Subpaths come
 * first: an alias also matches the specifiers it prefixes, so `@samlab/core-tensor` would take
 * `@samlab/core-tensor/effect` to `src/index.ts/effect`.
 */
export const sourceAliases: Record<string, string> = {
  ...Object.fromEntries(packages.flatMap(subpathEntries)),
  ...Object.fromEntries(packages.map((p) => [`@samlab/${p}`, `${root}packages/${p}/src/index.ts`])),
  "@samlab/golden": `${root}tools/golden/src/index.ts`
}

/** In CI each package also writes a JSON report, which `.ci/run` adds up into one closing line. */
const reports = process.env["SAMLAB_TEST_REPORTS"]
const reporters = (): NonNullable<ViteUserConfig["test"]>["reporters"] =>
  reports ? ["default", ["json", { outputFile: `${reports}/${process.cwd().split("/").slice(-2).join("__")}.json` }]] : ["default"]

/** For packages with type tests (`test/*.test-d.ts`: expectTypeOf, @ts-expect-error): a wrong type fails the run. */
export const typeTests: ViteUserConfig["test"] = { typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "tsconfig.json" } }

/**
 * For packages whose tests run tensors: each test file starts on tfjs's CPU backend
 * (`vitest.cpu-backend.ts`), so no test repeats the selection. `ownBackend` lists the test files
 * (or folders), relative to the package, that choose their backend themselves.
 */
export const onCpuBackend = (ownBackend: readonly string[] = []): ViteUserConfig["test"] => ({
  setupFiles: [`${root}vitest.cpu-backend.ts`],
  provide: { ownBackend: [...ownBackend] }
})

export const packageTests = (overrides: ViteUserConfig["test"] = {}) =>
  defineConfig({
    resolve: { alias: sourceAliases },
    test: {
      reporters: reporters(),
      include: ["test/**/*.test.ts"],
      globalSetup: [`${root}vitest.global-setup.mjs`],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: "forks",
      ...overrides
    }
  })
