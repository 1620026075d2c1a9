import { deepLinearPage } from "./deep-linear.js"
import { theoryReportStep } from "./step.js"

/** `report` of the deep-linear experiment: charts and report.html. */
export const deepLinearReportStep = theoryReportStep({
  description: "charts (parameter drift, test accuracy, training loss, head norm) and report.html",
  page: deepLinearPage
})
