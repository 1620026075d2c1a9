import { type JsonValue, type ReportChart, escapeXml as html, flattenConfig } from "@samlab/analysis-decomposition"

export interface TheoryPageInput {
  readonly title: string
  readonly subtitle: string
  readonly table: { readonly head: readonly string[]; readonly rows: ReadonlyArray<readonly string[]> }
  readonly charts: readonly ReportChart[]
  /** The findings, one sentence each. */
  readonly notes: readonly string[]
  readonly config: JsonValue
}

const css = `
body { margin: 0; padding: 28px 36px 40px; font: 14px/1.45 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; color: #1d1d1f; background: #fafafa; }
main { max-width: 1240px; margin: 0 auto; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
.subtitle { color: #555; margin: 0 0 4px; }
table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid #e4e4e4; text-align: right; white-space: nowrap; }
th { background: #f1f1f4; font-weight: 600; font-size: 12px; white-space: normal; }
td:first-child, th:first-child { text-align: left; }
table.config td { font-family: 'DejaVu Sans Mono', Menlo, monospace; font-size: 12px; text-align: left; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px; }
figure { margin: 0; background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 8px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: #555; font-size: 12px; padding: 4px 6px 2px; }
`

/** A small self-contained HTML page: results table, findings, inline SVG charts, configuration. No scripts. */
export const renderTheoryPage = (p: TheoryPageInput): string => {
  const table = `<table class="results"><thead><tr>${p.table.head.map((h) => `<th>${html(h)}</th>`).join("")}</tr></thead><tbody>${p.table.rows.map((r) => `<tr>${r.map((c) => `<td>${html(c)}</td>`).join("")}</tr>`).join("\n")}</tbody></table>`
  const figures = p.charts.map((c) => `<figure id="${html(c.id)}">${c.svg}<figcaption>${html(c.caption)}</figcaption></figure>`).join("\n")
  const config = flattenConfig(p.config)
    .map(([k, v]) => `<tr><th>${html(k)}</th><td>${html(v)}</td></tr>`)
    .join("")
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${html(p.title)}</title><style>${css}</style></head>`,
    "<body><main>",
    `<h1>${html(p.title)}</h1>`,
    `<p class="subtitle">${html(p.subtitle)}</p>`,
    "<h2>Results</h2>",
    table,
    p.notes.length ? `<ul class="notes">${p.notes.map((n) => `<li>${html(n)}</li>`).join("")}</ul>` : "",
    "<h2>Curves</h2>",
    `<div class="charts">${figures}</div>`,
    "<h2>Configuration</h2>",
    `<table class="config"><tbody>${config}</tbody></table>`,
    "</main></body></html>",
    ""
  ].join("\n")
}

/** A fraction as a percentage with one decimal; "–" for null. */
export const pct = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? "–" : (100 * v).toFixed(1))

/** A number with `digits` significant digits; "–" for null. */
export const num = (v: number | null | undefined, digits = 3): string => {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–"
  if (Number.isInteger(v)) return String(v)
  return Math.abs(v) < 1e-3 ? v.toExponential(1) : v.toPrecision(digits)
}
