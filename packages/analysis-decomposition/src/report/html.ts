import { type ReportChart, methodStyles, reportCharts } from "./charts.js"
import { html, integer, percent, seconds } from "./format.js"
import type { JsonValue, ReportInput } from "./types.js"
import { parseReportInput } from "./validate.js"

const css = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 28px 36px 40px; font: 14px/1.45 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; color: #1d1d1f; background: #fafafa; }
main { max-width: 1240px; margin: 0 auto; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
.subtitle { color: #555; margin: 0 0 4px; }
.warning { margin: 8px 0; padding: 8px 14px; background: #fff4e5; border-left: 4px solid #D55E00; }
.headline { font-size: 16px; margin: 12px 0 4px; padding: 10px 14px; background: #fff; border-left: 4px solid #0072B2; }
.table-note { color: #555; font-size: 12px; margin: 6px 0 0; }
.meta { color: #777; font-size: 12px; margin: 0; }
table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid #e4e4e4; text-align: right; white-space: nowrap; }
th { background: #f1f1f4; font-weight: 600; font-size: 12px; color: #333; white-space: normal; vertical-align: bottom; }
table.results { width: 100%; }
td:first-child, th:first-child { text-align: left; }
td.best { font-weight: 700; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 7px; vertical-align: baseline; }
table.config td { font-family: 'DejaVu Sans Mono', Menlo, monospace; font-size: 12px; text-align: left; white-space: normal; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px; }
figure { margin: 0; background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 8px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: #555; font-size: 12px; padding: 4px 6px 2px; }
ul.notes { padding-left: 20px; }
`

/** Dotted-key rows of a JSON config: { a: { b: 1 } } -> [["a.b", "1"]]. */
export const flattenConfig = (value: JsonValue, prefix = ""): Array<[string, string]> => {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, JsonValue>)
    if (entries.length === 0) return [[prefix, "{}"]]
    return entries.flatMap(([k, v]) => flattenConfig(v, prefix ? `${prefix}.${k}` : k))
  }
  return [[prefix, typeof value === "string" ? value : JSON.stringify(value)]]
}

const resultsTable = (input: ReportInput): string => {
  const styles = methodStyles(input)
  const rows = styles.map(({ key, label, color }) => ({ key, label, color, s: input.methods[key]!.summary }))
  const best = (pick: (s: (typeof rows)[number]["s"]) => number | undefined): number => Math.max(...rows.map((r) => pick(r.s) ?? -Infinity).filter(Number.isFinite))
  const bestBest = best((s) => s.bestTestAcc)
  const bestFinal = best((s) => s.finalTestAcc)
  const bestStop = best((s) => s.earlyStopTestAcc)
  const cell = (text: string, isBest: boolean) => `<td${isBest ? ' class="best"' : ""}>${html(text)}</td>`
  const head = ["method", "best test acc (%)", "best epoch", "final acc (%)", "early-stop acc (%) [epoch]", "clean train acc at best (%)", "noisy fit at best (%)", "wall time (s)", "seeds"]
  const body = rows.map(({ label, color, s }) => {
    const stop = s.earlyStopTestAcc === undefined ? "–" : `${percent(s.earlyStopTestAcc, s.std?.earlyStopTestAcc)} [${integer(s.earlyStopEpoch)}]`
    return [
      `<tr data-method="${html(label)}">`,
      `<td><span class="swatch" style="background:${html(color)}"></span>${html(label)}</td>`,
      cell(percent(s.bestTestAcc, s.std?.bestTestAcc), s.bestTestAcc === bestBest),
      cell(integer(s.bestEpoch), false),
      cell(percent(s.finalTestAcc, s.std?.finalTestAcc), s.finalTestAcc === bestFinal),
      cell(stop, s.earlyStopTestAcc !== undefined && s.earlyStopTestAcc === bestStop),
      cell(percent(s.cleanTrainAccAtBest, s.std?.cleanTrainAccAtBest), false),
      cell(percent(s.noisyTrainAccNoisyLabelAtBest, s.std?.noisyTrainAccNoisyLabelAtBest), false),
      cell(seconds(s.wallSeconds), false),
      cell(s.seeds.length > 0 ? s.seeds.join(", ") : "–", false),
      `</tr>`
    ].join("")
  })
  const table = `<table class="results"><thead><tr>${head.map((h) => `<th>${html(h)}</th>`).join("")}</tr></thead><tbody>${body.join("\n")}</tbody></table>`
  return `${table}${spreadNote(input)}`
}

/** Says what `±` means, where the table shows one. */
const spreadNote = (input: ReportInput): string => {
  const withSpread = Object.values(input.methods).filter((m) => m.summary.std && Object.keys(m.summary.std).length > 0)
  if (withSpread.length === 0) return ""
  const counts = [...new Set(withSpread.map((m) => m.summary.seeds.length))].sort((a, b) => a - b)
  return `<p class="table-note">Values are means over seeds; ± is the sample standard deviation over the ${html(counts.join(" or "))} seeds of that method.</p>`
}

const configTable = (input: ReportInput): string => {
  const rows = flattenConfig(input.config as JsonValue)
  if (rows.length === 0 || (rows.length === 1 && rows[0]![1] === "{}")) return "<p>No configuration given.</p>"
  return `<table class="config"><tbody>${rows.map(([k, v]) => `<tr><th>${html(k)}</th><td>${html(v)}</td></tr>`).join("")}</tbody></table>`
}

const figure = (c: ReportChart): string => `<figure id="${html(c.id)}">${c.svg}<figcaption>${html(c.caption)}</figcaption></figure>`

/**
 * A self-contained HTML report: header, results table (best / final / early-stop test accuracy,
 * training accuracy on clean and noisy examples at the best epoch, wall time, seeds), the
 * charts as inline SVG, the configuration and notes. Inline CSS only: no scripts, no network.
 * The input is validated first (`ReportInputError` names a bad field).
 */
export const renderReport = (input: ReportInput): string => {
  const checked = parseReportInput(input)
  const charts = reportCharts(checked)
  const training = charts.filter((c) => ["test-accuracy", "train-accuracy"].includes(c.id))
  const decomposition = charts.filter((c) => c.id.endsWith("Factor"))
  const norms = charts.filter((c) => c.id.endsWith("NormSq"))
  const saner = charts.filter((c) => c.id === "group-b-share")
  const section = (title: string, cs: ReportChart[]) => (cs.length === 0 ? "" : `<h2>${html(title)}</h2><div class="charts">${cs.map(figure).join("\n")}</div>`)
  const notes = checked.notes && checked.notes.length > 0 ? `<h2>Notes</h2><ul class="notes">${checked.notes.map((n) => `<li>${html(n)}</li>`).join("")}</ul>` : ""
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${html(checked.title)}</title>`,
    `<style>${css}</style>`,
    "</head>",
    "<body><main>",
    `<h1>${html(checked.title)}</h1>`,
    checked.subtitle ? `<p class="subtitle">${html(checked.subtitle)}</p>` : "",
    checked.headline ? `<p class="headline">${html(checked.headline)}</p>` : "",
    checked.createdAt ? `<p class="meta">Generated ${html(checked.createdAt)}</p>` : "",
    ...(checked.warnings ?? []).map((w) => `<p class="warning" role="note">Warning: ${html(w)}</p>`),
    "<h2>Results</h2>",
    resultsTable(checked),
    section("Training dynamics", training),
    section("How SAM reweights per-example gradients", decomposition),
    section("Feature and head norms", norms),
    section("SANER: the coordinates SAM already shrinks", saner),
    "<h2>Configuration</h2>",
    configTable(checked),
    notes,
    "</main></body>",
    "</html>",
    ""
  ]
    .filter((s) => s !== "")
    .join("\n")
}
