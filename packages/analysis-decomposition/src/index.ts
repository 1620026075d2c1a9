export { AnalysisInputError, ReportInputError, UnsupportedModelError } from "./errors.js"
export { type DistributionSummary, meanOf, quantileSorted, summarize } from "./stats/summary.js"
// SAM's per-example gradient decomposition
export type { DecomposeOptions, ExampleDecomposition, PerturbationSpec } from "./decomposition/types.js"
export { decompose } from "./decomposition/decompose.js"
export {
  type DecompositionQuantity,
  type DecompositionSummary,
  type GroupDecomposition,
  decompositionQuantities,
  summarizeDecomposition
} from "./decomposition/aggregate.js"
// training-dynamics tracking
export type { BatchedExamples, ChannelNormalization, ExampleBatch, ExampleSource, HostExamples, LabelSet } from "./tracking/data.js"
export type { GroupReweighting, ReweightingFactor } from "./tracking/reweighting.js"
export type { EpochMetrics, RunSummary } from "./tracking/types.js"
export { summarizeRun } from "./tracking/summary.js"
export { type TrackedDecomposition, type Tracker, type TrackerDecompositionOptions, type TrackerOptions, createTracker } from "./tracking/tracker.js"
// reports: the CIFAR report, the shared page, charts
export type {
  DecompositionGroupPoint,
  DecompositionPoint,
  GroupStat,
  JsonValue,
  MethodReport,
  SweepPoint,
  MethodSummary,
  ReportEpoch,
  ReportInput,
  SummaryField
} from "./report/types.js"
export { summaryFields } from "./report/types.js"
export { parseReportInput, reportJson } from "./report/validate.js"
export { type ReportChart, reportCharts } from "./report/charts.js"
export { renderReport } from "./report/html.js"
export { type PageInput, chartsSection, configSection, flattenConfig, notesList, renderPage, section, textTable } from "./report/page.js"
export { decompositionPointFrom, methodReportFrom } from "./report/from-tracker.js"
export { escapeXml } from "./report/svg/escape.js"
export {
  type Dash,
  type LegendEntry,
  type LineChartOptions,
  type MarkerShape,
  type Series,
  type SeriesBandPoint,
  type SeriesPoint,
  lineChart,
  palette
} from "./report/svg/line-chart.js"
