import type { ReportChart } from "./charts.js"
import { html } from "./format.js"
import type { JsonValue } from "./types.js"

/** The one stylesheet of samlab's HTML pages (the CIFAR report and the theory experiments' pages). */
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

export interface PageInput {
  readonly title: string
  readonly subtitle?: string | undefined
  /** HTML shown under the title before the first section (a headline, warnings); empty strings are left out. */
  readonly lead?: readonly string[] | undefined
  /** The page's sections as HTML, in order (see `section`, `chartsSection`, `configSection`); empty strings are left out. */
  readonly sections: readonly string[]
}

/** A self-contained HTML page: title, subtitle, lead, sections. Inline CSS only: no scripts, no network. */
export const renderPage = (p: PageInput): string =>
  [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${html(p.title)}</title>`,
    `<style>${css}</style>`,
    "</head>",
    "<body><main>",
    `<h1>${html(p.title)}</h1>`,
    p.subtitle ? `<p class="subtitle">${html(p.subtitle)}</p>` : "",
    ...(p.lead ?? []),
    ...p.sections,
    "</main></body>",
    "</html>",
    ""
  ]
    .filter((s) => s !== "")
    .join("\n")

/** A titled section around HTML content. */
export const section = (title: string, content: string): string => `<h2>${html(title)}</h2>\n${content}`

/** A table of text cells (escaped here), first column left-aligned. */
export const textTable = (head: readonly string[], rows: ReadonlyArray<readonly string[]>, className = "results"): string =>
  `<table class="${html(className)}"><thead><tr>${head.map((h) => `<th>${html(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${html(c)}</td>`).join("")}</tr>`).join("\n")}</tbody></table>`

/** A bulleted list of sentences; "" for none. */
export const notesList = (notes: readonly string[]): string =>
  notes.length === 0 ? "" : `<ul class="notes">${notes.map((n) => `<li>${html(n)}</li>`).join("")}</ul>`

const figure = (c: ReportChart): string => `<figure id="${html(c.id)}">${c.svg}<figcaption>${html(c.caption)}</figcaption></figure>`

/** Charts as inline SVG figures in a two-column grid under a title; "" when there are none. */
export const chartsSection = (title: string, charts: readonly ReportChart[]): string =>
  charts.length === 0 ? "" : `<h2>${html(title)}</h2><div class="charts">${charts.map(figure).join("\n")}</div>`

/** Dotted-key rows of a JSON config: { a: { b: 1 } } -> [["a.b", "1"]]. */
export const flattenConfig = (value: JsonValue, prefix = ""): Array<[string, string]> => {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, JsonValue>)
    if (entries.length === 0) return [[prefix, "{}"]]
    return entries.flatMap(([k, v]) => flattenConfig(v, prefix ? `${prefix}.${k}` : k))
  }
  return [[prefix, typeof value === "string" ? value : JSON.stringify(value)]]
}

/** The configuration the page was made from, one dotted key per row. */
export const configSection = (config: JsonValue): string => {
  const rows = flattenConfig(config)
  const body =
    rows.length === 0 || (rows.length === 1 && rows[0]![1] === "{}")
      ? "<p>No configuration given.</p>"
      : `<table class="config"><tbody>${rows.map(([k, v]) => `<tr><th>${html(k)}</th><td>${html(v)}</td></tr>`).join("")}</tbody></table>`
  return `<h2>Configuration</h2>\n${body}`
}
