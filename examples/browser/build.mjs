// Bundles the example page for the browser with esbuild: `node build.mjs [outDir]` writes
// index.html and main.js. samlab's packages come from their sources; @samlab/data-noisy-cifar
// from its browser entry (what a bundler's "browser" condition picks from the published package).
import { copyFileSync, mkdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, "../..")
const source = (pkg, entry = "index.ts") => join(repo, "packages", pkg, "src", entry)

/** Builds the page into `outDir`; returns the bundle's size in bytes. */
export const bundlePage = async (outDir = join(here, "dist")) => {
  mkdirSync(outDir, { recursive: true })
  const result = await build({
    entryPoints: [join(here, "src", "main.ts")],
    outfile: join(outDir, "main.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    metafile: true,
    logLevel: "warning",
    alias: {
      "@samlab/core-tensor/internal": source("core-tensor", "internal.ts"),
      "@samlab/core-tensor": source("core-tensor"),
      "@samlab/optim-sam/internal": source("optim-sam", "internal.ts"),
      "@samlab/optim-sam": source("optim-sam"),
      "@samlab/optim-jacobian-reg": source("optim-jacobian-reg"),
      "@samlab/analysis-decomposition": source("analysis-decomposition"),
      "@samlab/data-noisy-cifar": source("data-noisy-cifar", "browser.ts")
    }
  })
  copyFileSync(join(here, "src", "index.html"), join(outDir, "index.html"))
  const inputs = Object.keys(result.metafile.inputs)
  return { bytes: result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes, nodeBuiltins: inputs.filter((i) => i.startsWith("node:")) }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(here, "dist"))
  const { bytes } = await bundlePage(out)
  process.stdout.write(`example page in ${out} (main.js ${(bytes / 1e6).toFixed(1)} MB); serve the folder and open index.html\n`)
}
