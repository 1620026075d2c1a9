#!/usr/bin/env node
// The packaging test: samlab as npm users get it. Packs every publishable package (`npm pack`),
// installs the tarballs into a fresh project in a temporary folder outside the repository, and
// there runs, on each Node version asked for:
//   - a README-style snippet (the functional API: SAM and J-SAM steps on an MLP, cpu backend) and
//     `model.fit` with SAMOptimizer on a small tfjs-layers conv model (then saved and loaded back),
//     as an ES module, as CommonJS and as strict TypeScript (tsc --strict, then run);
//   - `npx samlab --help`, `npx samlab list` and `npx samlab run` of a pipeline file written in
//     that project (linear logistic regression on a synthetic Gaussian mixture: no download).
//
//   node tools/packaging/check.mjs [--node 20,22,24] [--no-build] [--keep]
//
// Node versions other than the running one come from npm's `node` package (`npx -y node@22`),
// which installs the binary from the registry. The native backend's addon is not compiled
// (SAMLAB_NATIVE_SKIP_BUILD=1): the checks pin the cpu backend. Exits 1 naming every failed check.
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures")
const { values: options } = parseArgs({
  options: {
    node: { type: "string", default: process.versions.node.split(".")[0] },
    "no-build": { type: "boolean", default: false },
    keep: { type: "boolean", default: false }
  }
})
const nodeMajors = options.node
  .split(",")
  .map((v) => v.trim())
  .filter(Boolean)

const rootPackage = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"))
/** The version range the repository itself uses for a package the test project installs beside the tarballs. */
const rangeOf = (name) => {
  for (const file of ["package.json", "packages/core-tensor/package.json", "packages/pipeline/package.json"]) {
    const m = JSON.parse(readFileSync(join(repo, file), "utf8"))
    const range = m.devDependencies?.[name] ?? m.dependencies?.[name]
    if (range) return range
  }
  throw new Error(`no package.json of the repository names ${name}`)
}

/** The publishable workspaces: every one not marked private. */
const publishable = () =>
  rootPackage.workspaces
    .flatMap((pattern) => (pattern.endsWith("/*") ? readdirSync(join(repo, pattern.slice(0, -2))).map((d) => join(pattern.slice(0, -2), d)) : [pattern]))
    .filter((dir) => existsSync(join(repo, dir, "package.json")))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8")) }))
    .filter((p) => !p.manifest.private)

const say = (line) => process.stdout.write(`packaging: ${line}\n`)

/** Runs a command; returns its stdout, or throws with the command, its exit code and the tail of its output. */
const sh = (command, args, { cwd, env, label }) => {
  const r = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.trim().split("\n").slice(-25).join("\n")
    throw new Error(`${label ?? [command, ...args].join(" ")}: exit ${r.status ?? r.signal}\n${tail}`)
  }
  return r.stdout
}

/** The bin folder of Node `major`: this process's own, else the `node` package from the registry. */
const nodeBinDir = (major) => {
  if (process.versions.node.split(".")[0] === major) return dirname(process.execPath)
  const execPath = sh("npx", ["-y", `node@${major}`, "-p", "process.execPath"], { cwd: tmpdir(), env: process.env, label: `npx -y node@${major}` }).trim()
  return dirname(execPath)
}

const packAll = (packages, into) => {
  mkdirSync(into, { recursive: true })
  return packages.map(({ dir, manifest }) => {
    const out = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", into], { cwd: join(repo, dir), env: process.env }))
    const files = out[0].files.map((f) => f.path)
    for (const needed of ["LICENSE", "README.md", "package.json"]) if (!files.includes(needed)) throw new Error(`${manifest.name}: the tarball lacks ${needed}`)
    if (files.some((f) => f.startsWith("src/") || f.startsWith("test/"))) throw new Error(`${manifest.name}: the tarball ships sources or tests`)
    // `samlab bench --torch` runs the PyTorch side from the installed package
    if (manifest.name === "@samlab/cli" && !files.includes("torch/torch_bench.py")) throw new Error(`${manifest.name}: the tarball lacks torch/torch_bench.py`)
    say(`packed ${out[0].filename} (${out[0].entryCount} files, ${(out[0].size / 1024).toFixed(0)} KiB)`)
    return join(into, out[0].filename)
  })
}

/** One fresh project per Node version: the tarballs, tfjs (the peers), TypeScript; then every check. */
const checkOn = (major, tarballs, work) => {
  const bin = nodeBinDir(major)
  const env = {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH}`,
    SAMLAB_BACKEND: "cpu",
    SAMLAB_NATIVE_SKIP_BUILD: "1",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false"
  }
  for (const k of Object.keys(env))
    if (k.startsWith("npm_package_") || k === "npm_lifecycle_event" || k === "npm_lifecycle_script" || k === "INIT_CWD") delete env[k]
  const version = sh("node", ["--version"], { cwd: work, env }).trim()
  const project = join(work, `node${major}`)
  mkdirSync(project, { recursive: true })
  cpSync(fixtures, project, { recursive: true })
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "samlab-packaging-check", private: true, type: "module" }, null, 2)}\n`)
  const results = []
  const check = (name, f) => {
    const started = Date.now()
    try {
      const detail = f()
      results.push({ name, ok: true, detail: detail ?? "" })
      say(`node ${version}: ok    ${name} (${((Date.now() - started) / 1000).toFixed(0)} s) ${detail ?? ""}`)
      return true
    } catch (e) {
      results.push({ name, ok: false, detail: e.message })
      say(`node ${version}: FAIL  ${name}\n${e.message}`)
      return false
    }
  }
  const run = (command, ...args) => sh(command, args, { cwd: project, env })
  const installed = check("npm install the tarballs (+ tfjs-core, tfjs-layers, effect, typescript, esbuild)", () => {
    run(
      "npm",
      "install",
      "--no-package-lock",
      ...tarballs,
      ...["@tensorflow/tfjs-core", "@tensorflow/tfjs-layers", "effect", "typescript", "@types/node", "esbuild"].map((name) => `${name}@${rangeOf(name)}`)
    )
    const tfjsCores = run("npm", "ls", "@tensorflow/tfjs-core", "--all", "--parseable")
      .trim()
      .split("\n")
      .filter((l) => l.endsWith("tfjs-core"))
    if (tfjsCores.length !== 1) throw new Error(`expected one @tensorflow/tfjs-core in the project, found ${tfjsCores.length}:\n${tfjsCores.join("\n")}`)
    return "one @tensorflow/tfjs-core"
  })
  if (!installed) return { major, version, results }
  const expectReport = (out) => {
    const line = out.trim().split("\n").at(-1)
    const r = JSON.parse(line)
    if (!r.ok) throw new Error(`the snippet reported a failure: ${line}`)
    return line
  }
  check("ESM snippet + model.fit (check.mjs)", () => expectReport(run("node", "check.mjs")))
  check("CommonJS snippet + model.fit (check.cjs)", () => expectReport(run("node", "check.cjs")))
  check("strict TypeScript: tsc --strict, then run (check.ts)", () => {
    run("npx", "tsc", "-p", "tsconfig.json")
    return expectReport(run("node", "build/check.js"))
  })
  check("esbuild keeps bare imports (sideEffects): gradients and SAMOptimizer registered", () => {
    // the optional backends (native addons, wasm files) stay outside the bundle, as a Node app would leave them
    const external = [
      "webgpu",
      "@tensorflow/tfjs-backend-webgpu",
      "@tensorflow/tfjs-backend-wasm",
      "@tensorflow/tfjs-node",
      "@tensorflow/tfjs-node-gpu",
      "@samlab/tfjs-backend-native"
    ]
    run(
      "npx",
      "esbuild",
      "bare-imports.mjs",
      "--bundle",
      "--platform=node",
      "--format=cjs",
      "--outfile=build/bare-imports.cjs",
      "--log-level=error",
      ...external.map((e) => `--external:${e}`)
    )
    const r = JSON.parse(run("node", "build/bare-imports.cjs").trim().split("\n").at(-1))
    if (!r.sumGradient || !r.samOptimizer) throw new Error(`the bundle dropped a registration: ${JSON.stringify(r)}`)
    return JSON.stringify(r)
  })
  check("npx samlab --help", () => {
    const out = run("npx", "samlab", "--help")
    for (const command of ["run", "list", "backends"]) if (!out.includes(command)) throw new Error(`samlab --help does not mention ${command}:\n${out}`)
  })
  check("npx samlab --version", () => {
    const out = run("npx", "samlab", "--version").trim()
    const want = JSON.parse(readFileSync(join(repo, "tools/cli/package.json"), "utf8")).version
    if (!out.includes(want)) throw new Error(`samlab --version printed ${out}, expected ${want}`)
    return out
  })
  check("npx samlab list tiny-pipeline.ts", () => {
    const out = run("npx", "samlab", "list", "tiny-pipeline.ts", "--json")
    const listed = JSON.parse(out)
    if (listed.name !== "tiny-linear-logistic") throw new Error(`samlab list named ${listed.name}`)
    return `${listed.name}`
  })
  check("npx samlab run tiny-pipeline.ts", () => {
    run("npx", "samlab", "run", "tiny-pipeline.ts", "--out", "runs/tiny")
    const summary = JSON.parse(readFileSync(join(project, "runs/tiny/summary.json"), "utf8"))
    const environment = JSON.parse(readFileSync(join(project, "runs/tiny/environment.json"), "utf8"))
    if (environment.node !== version) throw new Error(`environment.json says node ${environment.node}, the run was on ${version}`)
    return `summary.json (${Object.keys(summary).length} keys), environment.json: samlab ${environment.samlab}, tfjs ${environment.tfjsCore}`
  })
  check("npx samlab run tiny-pipeline.ts --executor child (the installed bin in child processes)", () => {
    run("npx", "samlab", "run", "tiny-pipeline.ts", "--executor", "child", "--concurrency", "2", "--out", "runs/tiny-child")
    const inProcess = readFileSync(join(project, "runs/tiny/summary.json"), "utf8")
    const children = readFileSync(join(project, "runs/tiny-child/summary.json"), "utf8")
    if (children !== inProcess) throw new Error("the summary computed in child processes differs from the in-process one (same seeds)")
    return "summary.json identical to the in-process run's"
  })
  return { major, version, results }
}

const main = () => {
  const packages = publishable()
  if (!options["no-build"]) {
    say("building (nx, cached)")
    sh("npx", ["nx", "run-many", "-t", "build", "--outputStyle=stream"], {
      cwd: repo,
      env: { ...process.env, NX_TUI: "false", NX_DAEMON: "false" },
      label: "nx run-many -t build"
    })
  }
  const work = mkdtempSync(join(tmpdir(), "samlab-packaging-"))
  say(`working in ${work} (outside the repository)`)
  try {
    const tarballs = packAll(packages, join(work, "tarballs"))
    const runs = nodeMajors.map((major) => {
      try {
        return checkOn(major, tarballs, work)
      } catch (e) {
        say(`node ${major}: FAIL  could not run: ${e.message}`)
        return { major, version: `${major} (not run)`, results: [{ name: "start", ok: false, detail: e.message }] }
      }
    })
    say("summary:")
    for (const r of runs)
      say(
        `  node ${r.version}: ${r.results.filter((x) => x.ok).length}/${r.results.length} checks passed${
          r.results.some((x) => !x.ok)
            ? ` (failed: ${r.results
                .filter((x) => !x.ok)
                .map((x) => x.name)
                .join("; ")})`
            : ""
        }`
      )
    return runs.every((r) => r.results.every((x) => x.ok)) ? 0 : 1
  } finally {
    if (options.keep) say(`kept ${work}`)
    else rmSync(work, { recursive: true, force: true })
  }
}

process.exitCode = main()
