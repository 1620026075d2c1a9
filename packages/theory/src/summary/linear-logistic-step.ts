import { summarizeLinearLogistic } from "./linear-logistic.js"
import { theorySummaryStep } from "./step.js"

/** `summary` of the linear-logistic experiment: summary.json per rho over seeds, with the headline facts; metrics.jsonl. */
export const linearLogisticSummaryStep = theorySummaryStep({
  description: "per-rho best/final test accuracy, noisy fit, weight ratio early/late, closed-form error (summary.json)",
  summarize: summarizeLinearLogistic
})
