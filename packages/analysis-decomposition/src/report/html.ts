import { methodStyles, reportCharts } from "./charts.js"
import { html, integer, percent, seconds } from "./format.js"
import type { JsonValue, ReportInput } from "./types.js"
import { chartsSection, configSection, notesList, renderPage, section } from "./page.js"
import { parseReportInput } from "./validate.js"

const resultsTable = (input: ReportInput): string => {
  const styles = methodStyles(input)
  const rows = styles.map(({ key, label, color }) => ({ key, label, color, s: input.methods[key]!.summary }))
  const best = (pick: (s: (typeof rows)[number]["s"]) => number | undefined): number =>
    Math.max(...rows.map((r) => pick(r.s) ?? -Infinity).filter(Number.isFinite))
  const bestBest = best((s) => s.bestTestAcc)
  const bestFinal = best((s) => s.finalTestAcc)
  const bestStop = best((s) => s.earlyStopTestAcc)
  const cell = (text: string, isBest: boolean) => `<td${isBest ? ' class="best"' : ""}>${html(text)}</td>`
  const head = [
    "method",
    "best test acc (%)",
    "best epoch",
    "final acc (%)",
    "early-stop acc (%) [epoch]",
    "clean train acc at best (%)",
    "noisy fit at best (%)",
    "wall time (s)",
    "seeds"
  ]
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

/**
 * A self-contained HTML report: header, results table (best / final / early-stop test accuracy,
 * training accuracy on clean and noisy examples at the best epoch, wall time, seeds), the
 * charts as inline SVG, the configuration and notes, on the shared page (`renderPage`).
 * The input is validated first (`ReportInputError` names a bad field).
 */
export const renderReport = (input: ReportInput): string => {
  const checked = parseReportInput(input)
  const charts = reportCharts(checked)
  const training = charts.filter((c) => ["test-accuracy", "train-accuracy"].includes(c.id))
  const decomposition = charts.filter((c) => c.id.endsWith("Factor"))
  const norms = charts.filter((c) => c.id.endsWith("NormSq"))
  const saner = charts.filter((c) => c.id === "group-b-share")
  return renderPage({
    title: checked.title,
    subtitle: checked.subtitle,
    lead: [
      checked.headline ? `<p class="headline">${html(checked.headline)}</p>` : "",
      checked.createdAt ? `<p class="meta">Generated ${html(checked.createdAt)}</p>` : "",
      ...(checked.warnings ?? []).map((w) => `<p class="warning" role="note">Warning: ${html(w)}</p>`)
    ],
    sections: [
      section("Results", resultsTable(checked)),
      chartsSection("Training dynamics", training),
      chartsSection("How SAM reweights per-example gradients", decomposition),
      chartsSection("Feature and head norms", norms),
      chartsSection("SANER: the coordinates SAM already shrinks", saner),
      configSection(checked.config as JsonValue),
      checked.notes && checked.notes.length > 0 ? section("Notes", notesList(checked.notes)) : ""
    ]
  })
}
