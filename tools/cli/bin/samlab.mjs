#!/usr/bin/env node
// The samlab command. Installed from npm it runs the built CLI (dist/main.js). In the samlab
// repository, where the sources sit beside it (they are not published), it runs them through
// tsx with the repository's tsconfig paths, so `npx samlab` needs no build there and never runs
// a stale build.
//
// Either way tsx's loader is registered for the whole process first, so pipeline files can be
// TypeScript anywhere on disk. It is registered globally, not scoped (tsImport): a scoped import
// would load the pipeline's own `@samlab/*` imports a second time, and the CLI would not
// recognise its Pipeline. Installed, tsx reads the tsconfig.json of the working directory, if any.
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { register } from "tsx/esm/api"

const sources = new URL("../src/main.ts", import.meta.url)
const inRepository = existsSync(sources)
register(inRepository ? { tsconfig: fileURLToPath(new URL("../../../tsconfig.json", import.meta.url)) } : {})
const { main } = await import(inRepository ? sources.href : new URL("../dist/main.js", import.meta.url).href)
process.exitCode = await main(process.argv.slice(2))
