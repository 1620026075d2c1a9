import { fileURLToPath } from "node:url"

/**
 * The `samlab` executable, for child processes (`--executor child`). Resolved from this file,
 * which sits one level below the package in both layouts: `src/bin-path.ts` (sources) and
 * `dist/main.js` (the build bundles it there).
 */
export const samlabBin: string = fileURLToPath(new URL("../bin/samlab.mjs", import.meta.url))
