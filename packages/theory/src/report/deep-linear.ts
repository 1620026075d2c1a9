import { type LegendEntry, type ReportChart, type Series, lineChart, palette } from "@samlab/analysis-decomposition"
import { meanCurve } from "../metrics/curves.js"
import type { DeepLinearSummaryFile } from "../summary/deep-linear.js"
import type { DeepLinearResult, StoredDeepLinearMetrics, StoredDeepLinearRecord } from "../train/deep-linear-step.js"
import { type TheoryPageInput, num, pct } from "./page.js"

const gray = "#444"

const groups = (results: readonly DeepLinearResult[]) =>
  [...new Set(results.map((r) => r.rho))]
    .sort((a, b) => a - b)
    .map((rho, i) => ({ rho, color: palette[i % palette.length]!, runs: results.filter((r) => r.rho === rho) }))

const curve = (
  name: string,
  color: string,
  runs: readonly DeepLinearResult[],
  pick: (r: StoredDeepLinearRecord) => number | null,
  dash?: "dashed" | "dotted",
  scale = 1
): Series => {
  const c = meanCurve(
    runs.map((r) => r.records),
    pick
  )
  return { name, color, ...(dash ? { dash } : {}), points: c.steps.map((s, i) => ({ x: s, y: c.values[i] === null ? Number.NaN : c.values[i]! * scale })) }
}

/** Solid J-SAM and dashed objective-GD per rho, plus plain GD (gray, dotted; it does not depend on rho). */
const trainerChart = (
  id: string,
  title: string,
  yLabel: string,
  caption: string,
  results: readonly DeepLinearResult[],
  field: keyof StoredDeepLinearMetrics,
  scale: number,
  log = false
): ReportChart => {
  const gs = groups(results)
  const series = [
    ...gs.flatMap((g) => [
      curve(`J-SAM ρ=${g.rho}`, g.color, g.runs, (r) => r.jsam[field], undefined, scale),
      curve(`objective ρ=${g.rho}`, g.color, g.runs, (r) => r.objective[field], "dashed", scale)
    ]),
    curve("plain GD", gray, gs[0]?.runs ?? [], (r) => r.gd[field], "dotted", scale)
  ]
  const legend: LegendEntry[] = [
    ...gs.map((g) => ({ label: `ρ=${g.rho}`, color: g.color })),
    { label: "J-SAM (per-example, by definition)", color: "#555" },
    { label: "GD on the derived objective", color: "#555", dash: "dashed" },
    { label: "plain GD", color: gray, dash: "dotted" }
  ]
  return { id, title, caption, svg: lineChart({ id, title, xLabel: "step", yLabel, series, legend, ...(log ? { yScale: "log" as const } : {}) }) }
}

/** Per-step drift between the two trajectories (max over seeds), test accuracy, training loss and the penalised head norm. */
export const deepLinearCharts = (results: readonly DeepLinearResult[]): ReportChart[] => {
  const drift: Series[] = groups(results).map((g) => {
    const steps = Math.min(...g.runs.map((r) => r.paramRelDiff.length))
    const points = Array.from({ length: steps }, (_, s) => {
      const vs = g.runs.map((r) => r.paramRelDiff[s]).filter((v): v is number => v !== null && v !== undefined)
      return { x: s, y: vs.length ? Math.max(...vs) : Number.NaN }
    })
    return { name: `ρ=${g.rho}`, color: g.color, points }
  })
  return [
    {
      id: "param-rel-diff",
      title: "J-SAM vs GD on the objective: parameter drift",
      caption: "‖θ_J-SAM − θ_objective‖∞ / ‖θ_J-SAM‖∞ after every step (max over seeds; 0 at step 0 is off the log scale). Float32 rounding is ~1e-7.",
      svg: lineChart({
        id: "param-rel-diff",
        title: "J-SAM vs GD on the objective: parameter drift",
        xLabel: "step",
        yLabel: "relative difference (log scale)",
        series: drift,
        yScale: "log"
      })
    },
    trainerChart(
      "test-accuracy",
      "Test accuracy",
      "test accuracy (%)",
      "Clean test accuracy (mean over seeds). Solid and dashed lines of one color coincide when the trajectories agree.",
      results,
      "testAcc",
      100
    ),
    trainerChart(
      "train-loss",
      "Training loss",
      "mean logistic loss (noisy labels)",
      "Mean logistic loss on the noisy training labels (the penalty excluded).",
      results,
      "trainLoss",
      1
    ),
    trainerChart(
      "head-norm",
      "Penalised last-layer norm ‖v‖²",
      "‖v‖² (log scale)",
      "The derived objective penalises ‖v‖² (and the activations ‖Wx‖²); plain GD does not.",
      results,
      "headNormSq",
      1,
      true
    )
  ]
}

export const deepLinearPage = (summary: DeepLinearSummaryFile, results: readonly DeepLinearResult[], config: TheoryPageInput["config"]): TheoryPageInput => {
  const f = summary.facts
  const notes = [
    `J-SAM by definition and plain GD on the derived objective stay within a relative parameter difference of ${num(f.maxParamRelDiff, 2)} over the whole run (${f.trajectoriesMatch ? "below" : "NOT below"} the ${summary.tolerance} tolerance).`,
    `The closed form's per-example jsamTwoLayerObjective: gradient vs J-SAM by definition, max relative error ${num(f.objectiveCheckMaxRelErr, 2)}.`,
    `J-SAM minus plain GD, best test accuracy by ρ: ${f.jsamMinusGdBest.map((v) => `${pct(v)} pts`).join(", ")}; final: ${f.jsamMinusGdFinal.map((v) => `${pct(v)} pts`).join(", ")}.`
  ]
  const rows = summary.rhos.flatMap((r) =>
    (["jsam", "objective", "gd"] as const).map((k) => {
      const t = r.trainers[k]
      const name = k === "jsam" ? `J-SAM ρ=${r.rho}` : k === "objective" ? `objective ρ=${r.rho}` : `plain GD (cells of ρ=${r.rho})`
      return [
        name,
        pct(t.bestTestAcc),
        pct(t.finalTestAcc),
        pct(t.finalCleanTrainAcc),
        pct(t.finalNoisyFit),
        num(t.finalTrainLoss),
        num(t.finalHeadNormSq),
        num(t.finalFeatureNormSq),
        k === "gd" ? "" : num(r.maxParamRelDiff, 2),
        r.seeds.join(", ")
      ]
    })
  )
  return {
    title: "J-SAM = GD on a regularised objective: two-layer linear network",
    subtitle: "The paper's Section 4.2: for f(x) = vᵀWx, per-example J-SAM equals GD on loss + sg(ρσ(−tf)/J)·½(‖x‖²‖v‖² + ‖Wx‖²).",
    table: {
      head: [
        "trainer",
        "best test acc (%)",
        "final test acc (%)",
        "final clean train acc (%)",
        "final noisy fit (%)",
        "final train loss",
        "final ‖v‖²",
        "final mean ‖Wx‖²",
        "max drift vs the other",
        "seeds"
      ],
      rows
    },
    charts: deepLinearCharts(results),
    notes,
    config
  }
}
