import { theoryAggregateSteps } from "./aggregate-steps.js"
import { linearLogisticPage } from "./linear-logistic-report.js"
import { summarizeLinearLogistic } from "./linear-logistic-summary.js"

/** `summary` (summary.json per rho over seeds, with the headline facts; metrics.jsonl) and `report` (charts, report.html) of the linear-logistic experiment. */
export const { summaryStep: linearLogisticSummaryStep, reportStep: linearLogisticReportStep } = theoryAggregateSteps({
  summary: { description: "per-rho best/final test accuracy, noisy fit, weight ratio early/late, closed-form error (summary.json)", summarize: summarizeLinearLogistic },
  report: { description: "charts (test accuracy, clean vs noisy training accuracy, weight ratio) and report.html", page: linearLogisticPage }
})
