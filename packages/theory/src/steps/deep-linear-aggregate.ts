import { theoryAggregateSteps } from "./aggregate.js"
import { deepLinearPage } from "../report/deep-linear.js"
import { summarizeDeepLinear } from "../summary/deep-linear.js"

/** `summary` (summary.json, metrics.jsonl) and `report` (charts, report.html) of the deep-linear experiment. */
export const { summaryStep: deepLinearSummaryStep, reportStep: deepLinearReportStep } = theoryAggregateSteps({
  summary: { description: "per-rho trajectory drift, objective check, and the three trainers' accuracies and norms (summary.json)", summarize: summarizeDeepLinear },
  report: { description: "charts (parameter drift, test accuracy, training loss, head norm) and report.html", page: deepLinearPage }
})
