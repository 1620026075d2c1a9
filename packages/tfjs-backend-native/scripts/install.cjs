#!/usr/bin/env node
// Builds the native addon with npm's own node-gyp against local Node headers.
// Never fails the install: on any problem it prints one line saying why and exits 0;
// importing the package then throws an error that says the addon is not built.
"use strict"
const { spawnSync } = require("node:child_process")
const fs = require("node:fs")
const path = require("node:path")

const packageRoot = path.resolve(__dirname, "..")
const tag = "@samlab/tfjs-backend-native"
const say = (line) => console.log(`${tag}: ${line}`)

/** npm's bundled node-gyp: npm_config_node_gyp (set by npm for scripts), else next to npm itself. */
const findNodeGyp = () => {
  const candidates = []
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp)
  if (process.env.npm_execpath) candidates.push(path.resolve(path.dirname(process.env.npm_execpath), "../node_modules/node-gyp/bin/node-gyp.js"))
  const prefix = path.resolve(path.dirname(process.execPath), "..")
  candidates.push(path.join(prefix, "lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"))
  candidates.push(path.join(path.dirname(process.execPath), "node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"))
  try {
    candidates.push(require.resolve("node-gyp/bin/node-gyp.js"))
  } catch {
    // not installed as a package; the candidates above cover npm's copy
  }
  return candidates.find((p) => fs.existsSync(p))
}

/** Local headers: npm's nodedir setting, else the include dir next to this node binary. */
const findNodeDir = () => {
  const configured = process.env.npm_config_nodedir
  if (configured && fs.existsSync(path.join(configured, "include/node/node_api.h"))) return configured
  const prefix = path.resolve(path.dirname(process.execPath), "..")
  if (fs.existsSync(path.join(prefix, "include/node/node_api.h"))) return prefix
  return configured || undefined
}

/**
 * The most telling line of a failed build's output: a compiler error, else a tool that could
 * not run (missing compiler, make, Python), else node-gyp's own summary.
 */
const firstError = (text) => {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
  const own = (l) => !/^gyp (ERR!|info|WARN)/.test(l)
  const pick =
    lines.find((l) => own(l) && /\berror:/.test(l)) ??
    lines.find((l) => own(l) && /^\w*(Error|Exception): /.test(l)) ??
    lines.find((l) => own(l) && /^(make(\[\d+\])?: |\/bin\/sh: )/.test(l) && !/(Entering|Leaving) directory/.test(l)) ??
    lines.find((l) => /^gyp ERR! stack Error:/.test(l)) ??
    lines.find((l) => /^gyp ERR!/.test(l) && !/not ok|cwd|command|node -v|node-gyp -v|System/.test(l)) ??
    lines[lines.length - 1]
  return (pick ?? "unknown error").replace(/^gyp ERR! (stack )?/, "").slice(0, 300)
}

const main = () => {
  if (process.env.SAMLAB_NATIVE_SKIP_BUILD === "1") return say("build skipped (SAMLAB_NATIVE_SKIP_BUILD=1); the native backend will be unavailable")
  const nodeGyp = findNodeGyp()
  if (!nodeGyp) return say("not built: npm's node-gyp was not found; the native backend will be unavailable")
  const args = [nodeGyp, "rebuild", `--jobs=${Math.max(1, Math.min(4, require("node:os").availableParallelism?.() ?? 2))}`]
  const nodeDir = findNodeDir()
  if (nodeDir) args.push(`--nodedir=${nodeDir}`)
  const result = spawnSync(process.execPath, args, { cwd: packageRoot, encoding: "utf8", timeout: 10 * 60 * 1000 })
  const addon = path.join(packageRoot, "build/Release/samlab_native.node")
  if (result.status === 0 && fs.existsSync(addon)) return say(`native addon built (${path.relative(packageRoot, addon)})`)
  const why = result.error ? result.error.message : firstError(`${result.stdout ?? ""}\n${result.stderr ?? ""}`)
  say(`not built: ${why}; the native backend will be unavailable (see the package README to build it)`)
}

try {
  main()
} catch (e) {
  say(`not built: ${e instanceof Error ? e.message : String(e)}`)
}
process.exitCode = 0
