import { linearLogisticPage } from "./linear-logistic.js"
import { theoryReportStep } from "./step.js"

/** `report` of the linear-logistic experiment: charts and report.html. */
export const linearLogisticReportStep = theoryReportStep({
  description: "charts (test accuracy, clean vs noisy training accuracy, weight ratio) and report.html",
  page: linearLogisticPage
})
