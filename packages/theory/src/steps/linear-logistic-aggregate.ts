import { theoryAggregateSteps } from "./aggregate.js"
import { linearLogisticPage } from "../report/linear-logistic.js"
import { summarizeLinearLogistic } from "../summary/linear-logistic.js"

/** `summary` (summary.json per rho over seeds, with the headline facts; metrics.jsonl) and `report` (charts, report.html) of the linear-logistic experiment. */
export const { summaryStep: linearLogisticSummaryStep, reportStep: linearLogisticReportStep } = theoryAggregateSteps({
  summary: { description: "per-rho best/final test accuracy, noisy fit, weight ratio early/late, closed-form error (summary.json)", summarize: summarizeLinearLogistic },
  report: { description: "charts (test accuracy, clean vs noisy training accuracy, weight ratio) and report.html", page: linearLogisticPage }
})
