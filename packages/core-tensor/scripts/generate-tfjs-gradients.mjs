// Generates src/optim/gradients/tfjs-gradients.generated.js from the installed @tensorflow/tfjs-core.
//
// Why: tfjs-core's Node entry (dist/tf-core.node.js) registers no gradient functions, and its
// `dist/register_all_gradients.js` cannot be loaded by Node (an ES module with extensionless
// imports in a package without "type": "module"). The gradient functions themselves are small;
// what they import (ops, kernel names, utilities) is almost all on tfjs-core's public API.
//
// So this bundles only `dist/gradients/*_grad.js` with esbuild and maps each of their imports onto
// the installed package's public API (`import ... from "@tensorflow/tfjs-core"`, kept external).
// The few helpers that are not public (e.g. `avgPoolGrad`, `conv2DBackpropFilter`) are bundled
// from tfjs-core's own files, their imports mapped the same way. The build fails if the bundle
// would contain a second engine, tensor class, environment or kernel registry.
//
// The generated module has no side effects: it exports the gradient configs and the tfjs-core
// version they come from; `register-tfjs-gradients.ts` registers the missing ones.
//
// Runs on `npm ci` (root postinstall), before core-tensor's build, and in the vitest global
// setup; it does nothing when the output was generated from the same tfjs-core version.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
export const outputFile = join(packageDir, "src/optim/gradients/tfjs-gradients.generated.js")

const require = createRequire(join(packageDir, "package.json"))
const tfjsCoreDir = dirname(require.resolve("@tensorflow/tfjs-core/package.json"))
const tfjsDist = join(tfjsCoreDir, "dist")
const tfjsVersion = JSON.parse(readFileSync(join(tfjsCoreDir, "package.json"), "utf8")).version
// The header's format is part of the stamp, so a file generated with an older header is regenerated.
const stamp = `// generated from @tensorflow/tfjs-core ${tfjsVersion} (header 2)`

/** Modules that hold tfjs's state or identity: they must come from the installed package, never a copy. */
const stateful = ["engine", "environment", "tensor", "kernel_registry", "global_util", "backends/backend"]

/**
 * Where a tfjs-core module's exports live on the public API: the top level (`tf.x`) unless named
 * here. A module not listed and whose imports are not all found there is bundled from source.
 */
const publicHome = {
  util: "util",
  util_base: "util",
  "ops/broadcast_util": "broadcast_util",
  "ops/slice_util": "slice_util",
  "ops/axis_util": "backend_util",
  "ops/conv_util": "backend_util",
  "ops/selu_util": "backend_util"
}

/** Non-public singletons that the public API reaches another way. */
const publicEquivalents = {
  engine: { ENGINE: "__tf.engine()" },
  tensor: { getGlobalTensorClass: "() => __tf.Tensor" }
}

const tf = require("@tensorflow/tfjs-core")
const homeOf = (module) => (publicHome[module] === undefined ? tf : tf[publicHome[module]])
const homeExpr = (module) => (publicHome[module] === undefined ? "__tf" : `__tf.${publicHome[module]}`)

/** Rewrites the imports of one tfjs-core file: public ones onto `@tensorflow/tfjs-core`, others kept relative (bundled). */
const rewriteImports = (file, source) => {
  const fromDir = dirname(file)
  let uses = false
  const code = source.replace(/^\/\/# sourceMappingURL=.*$/m, "").replace(/^import\s+([^;]+?)\s+from\s+'(\.[^']*)';/gm, (statement, clause, specifier) => {
    const module = relative(tfjsDist, resolve(fromDir, specifier)).replace(/\.js$/, "")
    const home = homeOf(module)
    const equivalent = /^\{\s*(\w+)\s*\}$/.exec(clause.trim())?.[1]
    if (equivalent !== undefined && publicEquivalents[module]?.[equivalent] !== undefined) {
      uses = true
      return `const ${equivalent} = ${publicEquivalents[module][equivalent]};`
    }
    const namespace = /^\*\s+as\s+(\w+)$/.exec(clause.trim())
    if (namespace) {
      const name = namespace[1]
      const members = [...source.matchAll(new RegExp(`\\b${name}\\.(\\w+)`, "g"))].map((m) => m[1])
      if (home === undefined || !members.every((m) => m in home)) return statement
      uses = true
      return `const ${name} = ${homeExpr(module)};`
    }
    const named = /^\{([^}]*)\}$/.exec(clause.trim())
    if (!named) return statement
    const bindings = named[1]
      .split(",")
      .map((b) => b.trim())
      .filter(Boolean)
      .map((b) => {
        const [imported, local = imported] = b.split(/\s+as\s+/)
        return { imported, local }
      })
    if (home === undefined || !bindings.every((b) => b.imported in home)) return statement
    uses = true
    return `const { ${bindings.map((b) => (b.imported === b.local ? b.imported : `${b.imported}: ${b.local}`)).join(", ")} } = ${homeExpr(module)};`
  })
  return uses ? `import * as __tf from "@tensorflow/tfjs-core";\n${code}` : code
}

/** The gradient configs that tfjs-core's own `register_all_gradients.js` registers, in its order. */
const gradientImports = () =>
  [...readFileSync(join(tfjsDist, "register_all_gradients.js"), "utf8").matchAll(/^import \{ (\w+) \} from '(\.\/gradients\/\w+)';/gm)].map((m) => ({
    name: m[1],
    file: join(tfjsDist, `${m[2]}.js`)
  }))

const entrySource = (imports) =>
  [
    ...imports.map((i) => `import { ${i.name} } from ${JSON.stringify(i.file)};`),
    `export const tfjsCoreVersion = ${JSON.stringify(tfjsVersion)};`,
    `export const gradConfigs = [${imports.map((i) => i.name).join(", ")}];`
  ].join("\n")

// A legal comment ("/*!", "@license"): esbuild, and so tsup, keep it in core-tensor's dist, which
// ships these Apache-2.0 functions beside the MIT code.
const header = `/*!
 * @license Apache-2.0
 * GENERATED by packages/core-tensor/scripts/generate-tfjs-gradients.mjs: do not edit, not committed.
 * The gradient functions of @tensorflow/tfjs-core ${tfjsVersion}, Copyright Google LLC, under the
 * Apache License 2.0 (see LICENSE-tfjs and NOTICE in this package). Their imports resolve to the
 * installed @tensorflow/tfjs-core; no engine or tensor code is copied.
 */`

export const generate = async ({ force = false } = {}) => {
  if (!force && existsSync(outputFile) && readFileSync(outputFile, "utf8").startsWith(stamp)) return { generated: false, file: outputFile }
  const { build } = await import("esbuild")
  const imports = gradientImports()
  if (imports.length === 0) throw new Error(`no gradient imports found in ${join(tfjsDist, "register_all_gradients.js")}`)
  const result = await build({
    stdin: { contents: entrySource(imports), resolveDir: tfjsDist, sourcefile: "tfjs-gradients-entry.js", loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    external: ["@tensorflow/tfjs-core"],
    legalComments: "none",
    metafile: true,
    logLevel: "silent",
    plugins: [
      {
        name: "tfjs-core-public-api",
        setup(b) {
          b.onResolve({ filter: /^\./ }, (args) =>
            args.importer.startsWith(tfjsDist) ? { path: resolve(args.resolveDir, args.path.endsWith(".js") ? args.path : `${args.path}.js`) } : undefined
          )
          b.onLoad({ filter: /\.js$/ }, (args) =>
            args.path.startsWith(tfjsDist) ? { contents: rewriteImports(args.path, readFileSync(args.path, "utf8")), loader: "js" } : undefined
          )
        }
      }
    ]
  })
  const copied = Object.keys(result.metafile.inputs)
    .map((p) => relative(tfjsDist, resolve(p)).replace(/\.js$/, ""))
    .filter((m) => stateful.includes(m))
  if (copied.length > 0) throw new Error(`the gradient bundle would copy tfjs-core's ${copied.join(", ")}: map those imports onto the public API`)
  mkdirSync(dirname(outputFile), { recursive: true })
  writeFileSync(outputFile, `${stamp}\n${header}\n${result.outputFiles[0].text}`)
  return { generated: true, file: outputFile, gradients: imports.length, bundled: Object.keys(result.metafile.inputs).length }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await generate({ force: process.argv.includes("--force") })
  console.log(
    r.generated
      ? `tfjs gradients: ${r.gradients} configs from tfjs-core ${tfjsVersion} (${r.bundled} files bundled) -> ${relative(process.cwd(), r.file)}`
      : `tfjs gradients: up to date (tfjs-core ${tfjsVersion})`
  )
}
