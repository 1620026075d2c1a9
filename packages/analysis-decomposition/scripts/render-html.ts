/**
 * Writes the HTML report for a ReportInput JSON file (or the built-in example when the input
 * is "--example"): `npx tsx scripts/render-html.ts <input.json|--example> <out.html>`.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { parseReportInput, renderReport } from "../src/index.js"
import { exampleInput } from "./example-input.js"

const [input, output] = process.argv.slice(2)
if (!input || !output) {
  process.stderr.write("usage: tsx scripts/render-html.ts <input.json|--example> <out.html>\n")
  process.exit(2)
}
const report = input === "--example" ? exampleInput() : parseReportInput(JSON.parse(readFileSync(input, "utf8")))
writeFileSync(output, renderReport(report))
process.stderr.write(`wrote ${output}\n`)
