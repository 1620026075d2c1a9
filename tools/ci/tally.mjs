// Adds up the vitest JSON reports of every package into one closing line: "N passed, N failed, N skipped".
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const dir = process.argv[2]
let passed = 0
let failed = 0
let skipped = 0
const files = readdirSync(dir).filter((f) => f.endsWith(".json"))
for (const f of files) {
  const r = JSON.parse(readFileSync(join(dir, f), "utf8"))
  passed += r.numPassedTests
  failed += r.numFailedTests
  skipped += r.numPendingTests + r.numTodoTests
}
console.log(`test reports: ${files.length} package(s)`)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 || passed === 0 ? 1 : 0
