import { type Dash, type LegendEntry, type MarkerShape, type Series, lineChart, markerShapes, palette } from "./svg/line-chart.js"
import type { DecompositionGroupPoint, JsonValue, ReportEpoch, ReportInput } from "./types.js"

export interface ReportChart {
  readonly id: string
  readonly title: string
  readonly caption: string
  readonly svg: string
}

/** Method keys in input order with a display label, a colour and a marker shape each. */
export const methodStyles = (input: ReportInput): Array<{ key: string; label: string; color: string; marker: MarkerShape }> =>
  Object.keys(input.methods).map((key, i) => ({
    key,
    label: input.methods[key]!.label ?? key,
    color: palette[i % palette.length]!,
    marker: markerShapes[i % markerShapes.length]!
  }))

/** Epoch charts run from the first to the last epoch recorded, not to the next round number. */
const epochDomain = (input: ReportInput): readonly [number, number] | undefined => {
  const epochs = Object.values(input.methods).flatMap((m) => m.perEpoch.map((e) => e.epoch))
  return epochs.length === 0 ? undefined : [Math.min(...epochs), Math.max(...epochs)]
}

const withDomain = (input: ReportInput): { xDomain?: readonly [number, number] } => {
  const d = epochDomain(input)
  return d && d[1] > d[0] ? { xDomain: d } : {}
}

const styleKey = (entries: ReadonlyArray<{ label: string; dash: Dash }>): LegendEntry[] => entries.map((e) => ({ label: e.label, color: "#555", dash: e.dash }))

type EpochField = Exclude<keyof ReportEpoch, "epoch">

/** One series per method; with per-seed minima and maxima, a band between them. */
const epochSeries = (input: ReportInput, field: EpochField, scale: number, dash: Dash = "solid", suffix = ""): Series[] =>
  methodStyles(input).flatMap(({ key, label, color, marker }) => {
    const m = input.methods[key]!
    const points = m.perEpoch.filter((e) => e[field] !== undefined).map((e) => ({ x: e.epoch, y: e[field]! * scale }))
    const hi = new Map((m.perEpochMax ?? []).map((e) => [e.epoch, e[field]]))
    const band = (m.perEpochMin ?? []).flatMap((e) => {
      const lo = e[field]
      const top = hi.get(e.epoch)
      return lo === undefined || top === undefined ? [] : [{ x: e.epoch, lo: lo * scale, hi: top * scale }]
    })
    return points.length > 0 ? [{ name: `${label}${suffix}`, color, dash, marker, points, ...(band.length > 1 ? { band } : {}) }] : []
  })

/** Legend: one entry per method shown (colour and marker), then the line styles. */
const methodLegend = (input: ReportInput, series: readonly Series[], styles: ReadonlyArray<{ label: string; dash: Dash }>): LegendEntry[] => [
  ...methodStyles(input)
    .filter((m) => series.some((s) => s.color === m.color))
    .map((m) => ({ label: m.label, color: m.color, marker: m.marker })),
  ...styleKey(styles)
]

const hasAny = (series: readonly Series[]): boolean => series.some((s) => s.points.some((p) => Number.isFinite(p.y)))

/** Test accuracy per method over epochs. */
export const testAccuracyChart = (input: ReportInput): ReportChart | undefined => {
  const series = epochSeries(input, "testAcc", 100)
  if (!hasAny(series)) return undefined
  const title = "Test accuracy"
  const banded = series.some((s) => s.band)
  const caption = `Test accuracy of each method after every epoch${banded ? " (mean over seeds; the shaded band spans the lowest to the highest seed)" : ""}.`
  return {
    id: "test-accuracy",
    title,
    caption,
    svg: lineChart({ id: "test-accuracy", title, xLabel: "epoch", yLabel: "test accuracy (%)", series, xIntegers: true, ...withDomain(input) })
  }
}

/** The paper's Figure 1: training accuracy on clean examples (solid) and noisy examples fitted to their wrong label (dashed). */
export const trainAccuracyChart = (input: ReportInput): ReportChart | undefined => {
  const series = [
    ...epochSeries(input, "cleanTrainAcc", 100, "solid", ", clean"),
    ...epochSeries(input, "noisyTrainAccNoisyLabel", 100, "dashed", ", noisy (noisy label)")
  ]
  if (!hasAny(series)) return undefined
  const legend = methodLegend(input, series, [
    { label: "clean examples", dash: "solid" },
    { label: "noisy examples, fit to the noisy label", dash: "dashed" }
  ])
  const title = "Training accuracy: clean vs noisy examples"
  return {
    id: "train-accuracy",
    title,
    caption: "Solid: accuracy on correctly labelled training examples. Dashed: fraction of mislabelled examples predicted as their wrong label (memorisation).",
    svg: lineChart({ id: "train-accuracy", title, xLabel: "epoch", yLabel: "training accuracy (%)", series, legend, xIntegers: true, ...withDomain(input) })
  }
}

type FactorField = "logitFactor" | "jacobianFactor" | "samFactor"

const factorTitles: Record<FactorField, { title: string; caption: string }> = {
  samFactor: { title: "SAM factor ‖J(w+ε)ᵀu(w+ε)‖ / ‖J(w)ᵀu(w)‖", caption: "How much SAM scales each example's gradient norm (group median)." },
  logitFactor: {
    title: "Logit factor ‖J(w)ᵀu(w+ε)‖ / ‖J(w)ᵀu(w)‖",
    caption: "The part of SAM's reweighting due to the perturbed logit term u alone (group median)."
  },
  jacobianFactor: { title: "Jacobian factor ‖J(w+ε)ᵀu(w)‖ / ‖J(w)ᵀu(w)‖", caption: "The part due to the perturbed Jacobian J alone (group median)." }
}

/**
 * One decomposition factor over epochs: clean (solid) and noisy (dashed) group medians per
 * method. Medians, because an example the model already fits has a near-zero gradient at w,
 * and its ratio can reach 1e7, which would swamp a group mean.
 */
export const factorChart = (input: ReportInput, field: FactorField): ReportChart | undefined => {
  const group = (which: "clean" | "noisy", dash: Dash): Series[] =>
    methodStyles(input).flatMap(({ key, label, color, marker }) => {
      const points = (input.methods[key]!.decomposition ?? []).map((d) => ({ x: d.epoch, y: (d[which] as DecompositionGroupPoint)[field].median }))
      return points.length > 0 ? [{ name: `${label}, ${which}`, color, dash, marker, points }] : []
    })
  const series = [...group("clean", "solid"), ...group("noisy", "dashed")]
  if (!hasAny(series)) return undefined
  const legend = methodLegend(input, series, [
    { label: "clean examples", dash: "solid" },
    { label: "noisy examples", dash: "dashed" }
  ])
  const { title, caption } = factorTitles[field]
  return {
    id: field,
    title,
    caption,
    svg: lineChart({
      id: field,
      title,
      xLabel: "epoch",
      yLabel: "factor (group median, log scale)",
      series,
      legend,
      xIntegers: true,
      referenceY: 1,
      yScale: "log",
      ...withDomain(input)
    })
  }
}

/** Mean squared feature norm or squared head norm per method over epochs (log scale: methods differ by multiples). */
export const normChart = (input: ReportInput, field: "featureNormSq" | "headNormSq"): ReportChart | undefined => {
  const series = epochSeries(input, field, 1)
  if (!hasAny(series)) return undefined
  const title = field === "featureNormSq" ? "Mean squared feature norm" : "Squared head norm"
  const yLabel = field === "featureNormSq" ? "mean ‖features‖² (log scale)" : "‖W_{head}‖²_{F} (log scale)"
  const caption =
    field === "featureNormSq" ? "Mean over training examples of the squared norm of the head's input." : "Squared Frobenius norm of the last layer's weight."
  return {
    id: field,
    title,
    caption,
    svg: lineChart({ id: field, title, xLabel: "epoch", yLabel, series, xIntegers: true, yScale: "log", ...withDomain(input) })
  }
}

/**
 * SANER's group B over epochs: the share of coordinates SAM already shrinks (0 < g_sam / g < 1),
 * mean over each epoch's steps (solid), and on a fixed batch of clean (dashed) and of noisy
 * (dotted) training examples at the epoch's end.
 */
export const groupBChart = (input: ReportInput): ReportChart | undefined => {
  const series = [
    ...epochSeries(input, "groupBShare", 100),
    ...epochSeries(input, "groupBShareClean", 100, "dashed", ", clean batch"),
    ...epochSeries(input, "groupBShareNoisy", 100, "dotted", ", noisy batch")
  ]
  if (!hasAny(series)) return undefined
  const legend = methodLegend(input, series, [
    { label: "training batches (mean over the epoch)", dash: "solid" },
    { label: "a batch of clean examples", dash: "dashed" },
    { label: "a batch of noisy examples", dash: "dotted" }
  ])
  const title = "SANER's group B: coordinates SAM shrinks"
  return {
    id: "group-b-share",
    title,
    caption:
      "Share of all parameter coordinates with 0 < g_SAM / g < 1 (the ones SANER scales by alpha): over the epoch's training batches, and on a fixed batch of clean and one of mislabelled training examples.",
    svg: lineChart({ id: "group-b-share", title, xLabel: "epoch", yLabel: "coordinates in group B (%)", series, legend, xIntegers: true, ...withDomain(input) })
  }
}

/** A swept value on the x axis: a number, or a list's first number (the width of hidden sizes [512, 512]). */
const sweptNumber = (v: JsonValue | undefined): number => (typeof v === "number" ? v : Array.isArray(v) && typeof v[0] === "number" ? v[0] : Number.NaN)

/**
 * A sweep over one numeric field: each method's best (solid) and last-epoch (dashed) test
 * accuracy against the swept value, one colour per method. Undefined unless every group is a
 * sweep group of the same single field with numbers (or lists of numbers) for values.
 */
export const sweepChart = (input: ReportInput): ReportChart | undefined => {
  const groups = Object.values(input.methods)
  const fields = new Set(groups.flatMap((m) => Object.keys(m.sweep?.values ?? {})))
  const field = [...fields][0]
  if (field === undefined || fields.size !== 1 || groups.some((m) => m.sweep === undefined || !(field in m.sweep.values))) return undefined
  const points = groups.map((m) => ({
    method: m.sweep!.method,
    x: sweptNumber(m.sweep!.values[field]),
    best: m.summary.bestTestAcc,
    last: m.summary.finalTestAcc
  }))
  if (points.some((p) => !Number.isFinite(p.x))) return undefined
  const methods = [...new Set(points.map((p) => p.method))]
  const series: Series[] = methods.flatMap((method, i) => {
    const mine = points.filter((p) => p.method === method).sort((a, b) => a.x - b.x)
    const style = { color: palette[i % palette.length]!, marker: markerShapes[i % markerShapes.length]! }
    return [
      { name: `${method}, best`, ...style, points: mine.map((p) => ({ x: p.x, y: 100 * p.best })) },
      { name: `${method}, last epoch`, ...style, dash: "dashed" as const, points: mine.map((p) => ({ x: p.x, y: 100 * p.last })) }
    ]
  })
  const legend: LegendEntry[] = [
    ...methods.map((label, i) => ({ label, color: palette[i % palette.length]!, marker: markerShapes[i % markerShapes.length]! })),
    ...styleKey([
      { label: "best epoch", dash: "solid" },
      { label: "last epoch", dash: "dashed" }
    ])
  ]
  const xLabel = groups.some((m) => typeof m.sweep!.values[field] !== "number") ? `${field} (first value)` : field
  const title = `Test accuracy against ${field}`
  return {
    id: "sweep",
    title,
    caption: `Each method's best test accuracy (solid) and its test accuracy at the last epoch (dashed), for each value of ${field}${groups.some((m) => m.summary.seeds.length > 1) ? " (means over seeds)" : ""}.`,
    svg: lineChart({ id: "sweep", title, xLabel, yLabel: "test accuracy (%)", series, legend, markers: true })
  }
}

/** Every chart the data allows, in report order. */
export const reportCharts = (input: ReportInput): ReportChart[] =>
  [
    sweepChart(input),
    testAccuracyChart(input),
    trainAccuracyChart(input),
    factorChart(input, "samFactor"),
    factorChart(input, "logitFactor"),
    factorChart(input, "jacobianFactor"),
    normChart(input, "featureNormSq"),
    normChart(input, "headNormSq"),
    groupBChart(input)
  ].filter((c): c is ReportChart => c !== undefined)
