import { defineConfig, type Options } from "tsup"

/** One build for every package: ESM and CJS with declarations, dependencies left external. */
export const packageBuild = (overrides: Partial<Options> = {}) =>
  defineConfig({
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: { compilerOptions: { paths: {}, baseUrl: "." } },
    sourcemap: false,
    clean: true,
    target: "node20",
    splitting: false,
    treeshake: true,
    tsconfig: "tsconfig.json",
    ...overrides
  })
