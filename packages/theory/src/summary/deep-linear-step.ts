import { summarizeDeepLinear } from "./deep-linear.js"
import { theorySummaryStep } from "./step.js"

/** `summary` of the deep-linear experiment: summary.json, metrics.jsonl. */
export const deepLinearSummaryStep = theorySummaryStep({
  description: "per-rho trajectory drift, objective check, and the three trainers' accuracies and norms (summary.json)",
  summarize: summarizeDeepLinear
})
