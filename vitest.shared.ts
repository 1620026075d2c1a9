import { fileURLToPath } from "node:url"
import { defineConfig, type UserConfig } from "vitest/config"

const root = fileURLToPath(new URL(".", import.meta.url))
const packages = ["core-tensor", "optim-sam", "optim-jacobian-reg", "data-noisy-cifar", "analysis-decomposition", "pipeline", "steps", "tfjs-backend-native"]

/** Tests run against the sources of sibling packages, so no build is needed first. */
export const sourceAliases = Object.fromEntries(packages.map((p) => [`@samlab/${p}`, `${root}packages/${p}/src/index.ts`]))

export const packageTests = (overrides: UserConfig["test"] = {}) =>
  defineConfig({
    resolve: { alias: sourceAliases },
    test: {
      include: ["test/**/*.test.ts"],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: "forks",
      ...overrides
    }
  })
