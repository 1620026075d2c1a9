// Adds up the vitest JSON reports of every package into one closing line: "N passed, N failed, N skipped".
// Fails when a package with tests left no report (its tests did not run, e.g. replayed from a cache)
// and when a golden-fixture test was skipped (the fixtures are in the repository: nothing excuses it).
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const dir = process.argv[2]
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..")

/** The workspace folders whose package.json has a test script (globs: only a trailing `/*`). */
const testedWorkspaces = () =>
  JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
    .workspaces.flatMap((w) => (w.endsWith("/*") ? readdirSync(join(root, w.slice(0, -2))).map((d) => join(root, w.slice(0, -2), d)) : [join(root, w)]))
    .filter((d) => existsSync(join(d, "package.json")) && JSON.parse(readFileSync(join(d, "package.json"), "utf8")).scripts?.test)

// vitest.shared.ts names each report after the package folder's last two path parts
const reportName = (workspace) => `${workspace.split("/").slice(-2).join("__")}.json`

let passed = 0
let failed = 0
let skipped = 0
const skippedGolden = []
const isGolden = (file, test) => /golden/i.test(file) || /golden/i.test(test.fullName ?? "")
const files = readdirSync(dir).filter((f) => f.endsWith(".json"))
for (const f of files) {
  const r = JSON.parse(readFileSync(join(dir, f), "utf8"))
  passed += r.numPassedTests
  failed += r.numFailedTests
  skipped += r.numPendingTests + r.numTodoTests
  for (const file of r.testResults ?? [])
    for (const test of file.assertionResults ?? [])
      if (test.status !== "passed" && test.status !== "failed" && isGolden(file.name, test))
        skippedGolden.push(`${file.name.slice(root.length + 1)}: ${test.fullName}`)
}
const missing = testedWorkspaces().filter((w) => !files.includes(reportName(w)))
console.log(`test reports: ${files.length} package(s)`)
for (const w of missing) console.log(`no test report from ${w.slice(root.length + 1)}: its tests did not run here`)
for (const t of skippedGolden) console.log(`golden test skipped: ${t}`)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 || passed === 0 || missing.length > 0 || skippedGolden.length > 0 ? 1 : 0
