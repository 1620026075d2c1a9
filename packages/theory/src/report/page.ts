import { type JsonValue, type ReportChart, chartsSection, configSection, notesList, renderPage, section, textTable } from "@samlab/analysis-decomposition"

export interface TheoryPageInput {
  readonly title: string
  readonly subtitle: string
  readonly table: { readonly head: readonly string[]; readonly rows: ReadonlyArray<readonly string[]> }
  readonly charts: readonly ReportChart[]
  /** The findings, one sentence each. */
  readonly notes: readonly string[]
  readonly config: JsonValue
}

/** The theory page on the shared report page: results table and findings, curves, configuration. */
export const renderTheoryPage = (p: TheoryPageInput): string =>
  renderPage({
    title: p.title,
    subtitle: p.subtitle,
    sections: [section("Results", `${textTable(p.table.head, p.table.rows)}${notesList(p.notes)}`), chartsSection("Curves", p.charts), configSection(p.config)]
  })

/** A fraction as a percentage with one decimal; "–" for null. */
export const pct = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? "–" : (100 * v).toFixed(1))

/** A number with `digits` significant digits; "–" for null. */
export const num = (v: number | null | undefined, digits = 3): string => {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–"
  if (Number.isInteger(v)) return String(v)
  return Math.abs(v) < 1e-3 ? v.toExponential(1) : v.toPrecision(digits)
}
