#!/usr/bin/env node
// The samlab command. It runs the TypeScript sources of the workspace through tsx, with the
// repository's tsconfig paths, so `npx samlab` works right after `npm ci`, before any build,
// and pipeline files can be written in TypeScript.
import { fileURLToPath } from "node:url"
import { register } from "tsx/esm/api"

register({ tsconfig: fileURLToPath(new URL("../../../tsconfig.json", import.meta.url)) })
const { main } = await import("../src/main.ts")
process.exitCode = await main(process.argv.slice(2))
