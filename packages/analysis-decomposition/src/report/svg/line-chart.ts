import { ReportInputError } from "../../errors.js"
import { coord, escapeXml } from "./escape.js"
import { type Scale, formatTick, niceLinear, niceLog, project } from "./scale.js"

export type Dash = "solid" | "dashed" | "dotted"
export type MarkerShape = "circle" | "square" | "triangle" | "diamond" | "cross" | "plus"

export interface SeriesPoint {
  readonly x: number
  readonly y: number
}

export interface Series {
  readonly name: string
  /** Points in x order; non-finite y values break the line. */
  readonly points: readonly SeriesPoint[]
  readonly color: string
  readonly dash?: Dash
  /** A marker shape drawn along the line (every point up to 15, else evenly spaced), so that lines on top of each other stay apart. */
  readonly marker?: MarkerShape
  /** A shaded range around the line (e.g. min to max over seeds). */
  readonly band?: readonly SeriesBandPoint[]
}

export interface SeriesBandPoint {
  readonly x: number
  readonly lo: number
  readonly hi: number
}

export interface LegendEntry {
  readonly label: string
  readonly color: string
  readonly dash?: Dash
  readonly marker?: MarkerShape
}

export interface LineChartOptions {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: readonly Series[]
  /** Unique within a page: prefixes the clip-path id (default from the title). */
  readonly id?: string
  /** Outer width in pixels (default 640); the plot area is 300 high, the legend adds rows below. */
  readonly width?: number
  readonly plotHeight?: number
  readonly xDomain?: readonly [number, number]
  readonly yDomain?: readonly [number, number]
  readonly yScale?: "linear" | "log"
  /** Integer x ticks (epochs). */
  readonly xIntegers?: boolean
  /** Legend entries (default: one per series). */
  readonly legend?: readonly LegendEntry[]
  /** Dots at the points (default: when every series has at most 15 points). */
  readonly markers?: boolean
  /** Widen an automatic y range by this fraction of its span on each side before choosing nice ticks (default 0). */
  readonly yPadding?: number
  /** A horizontal reference line (e.g. a factor of 1). */
  readonly referenceY?: number
}

/** Okabe and Ito's colour-blind-safe colours, in an order where neighbours differ in hue and lightness. */
export const palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999", "#8C510A", "#F0E442"]
export const markerShapes: readonly MarkerShape[] = ["circle", "square", "triangle", "diamond", "cross", "plus"]
const dashArray: Record<Dash, string | undefined> = { solid: undefined, dashed: "7 4", dotted: "2 3" }

/** Layout constants, exported so tests can check the geometry independently. */
export const chartLayout = { marginLeft: 72, marginRight: 20, marginTop: 36, axisBottom: 52, legendRow: 20, legendPadTop: 8, legendPadBottom: 10, fontSize: 12 }

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || "chart"

const dashAttr = (d: Dash | undefined): string => {
  const v = dashArray[d ?? "solid"]
  return v ? ` stroke-dasharray="${v}"` : ""
}

/** A marker of the given shape centred at (x, y). */
const markerSvg = (shape: MarkerShape, x: number, y: number, color: string): string => {
  const r = 3.2
  const c = escapeXml(color)
  const cls = `class="marker marker-${shape}" `
  switch (shape) {
    case "circle":
      return `<circle ${cls}cx="${coord(x)}" cy="${coord(y)}" r="${r - 0.4}" fill="${c}"/>`
    case "square":
      return `<rect ${cls}x="${coord(x - r + 0.6)}" y="${coord(y - r + 0.6)}" width="${coord(2 * r - 1.2)}" height="${coord(2 * r - 1.2)}" fill="${c}"/>`
    case "triangle":
      return `<path ${cls}d="M${coord(x)},${coord(y - r - 0.6)}L${coord(x + r + 0.4)},${coord(y + r - 0.4)}L${coord(x - r - 0.4)},${coord(y + r - 0.4)}Z" fill="${c}"/>`
    case "diamond":
      return `<path ${cls}d="M${coord(x)},${coord(y - r - 0.4)}L${coord(x + r + 0.4)},${coord(y)}L${coord(x)},${coord(y + r + 0.4)}L${coord(x - r - 0.4)},${coord(y)}Z" fill="${c}"/>`
    case "cross":
      return `<path ${cls}d="M${coord(x - r)},${coord(y - r)}L${coord(x + r)},${coord(y + r)}M${coord(x - r)},${coord(y + r)}L${coord(x + r)},${coord(y - r)}" stroke="${c}" stroke-width="1.8"/>`
    case "plus":
      return `<path ${cls}d="M${coord(x - r - 0.5)},${coord(y)}L${coord(x + r + 0.5)},${coord(y)}M${coord(x)},${coord(y - r - 0.5)}L${coord(x)},${coord(y + r + 0.5)}" stroke="${c}" stroke-width="1.8"/>`
  }
}

/** The plain text of a label written with `_{sub}` and `^{sup}` (for titles and aria labels). */
export const plainLabel = (s: string): string => s.replace(/[_^]\{([^}]*)\}/g, "$1")

/** A label as SVG text content: `_{sub}` and `^{sup}` become sub- and superscript tspans, the rest is escaped. */
export const richLabel = (s: string): string =>
  s
    .split(/([_^]\{[^}]*\})/)
    .map((part) => {
      const m = /^([_^])\{([^}]*)\}$/.exec(part)
      if (!m) return escapeXml(part)
      return `<tspan baseline-shift="${m[1] === "_" ? "sub" : "super"}" font-size="75%">${escapeXml(m[2]!)}</tspan>`
    })
    .join("")

/** Approximate text width at the chart's font size (for legend columns). */
const textWidth = (s: string): number => plainLabel(s).length * chartLayout.fontSize * 0.6

const extent = (series: readonly Series[], pick: (p: SeriesPoint) => number, positive: boolean): [number, number] => {
  let lo = Infinity
  let hi = -Infinity
  for (const s of series) {
    for (const p of s.points) {
      const v = pick(p)
      if (!Number.isFinite(v) || !Number.isFinite(p.y) || (positive && v <= 0)) continue
      lo = Math.min(lo, v)
      hi = Math.max(hi, v)
    }
  }
  return [lo, hi]
}

/**
 * A line chart as a standalone SVG string: title, axes with ticks and tick labels, axis labels,
 * light grid lines, one path per series (color and dash per series), optional markers and a
 * legend flowing in rows below the plot. No dependencies, no scripts, no external references.
 * The plot group carries `data-plot="left top width height"` and the domains, for tooling and tests.
 */
export const lineChart = (o: LineChartOptions): string => {
  const L = chartLayout
  const width = o.width ?? 640
  const plotHeight = o.plotHeight ?? 300
  const logY = o.yScale === "log"
  for (const s of o.series)
    for (const [i, p] of s.points.entries())
      if (!Number.isFinite(p.x)) throw new ReportInputError(`chart "${o.title}" series "${s.name}" point ${i}`, `x is ${p.x}`)
  const [x0, x1] = o.xDomain ?? extent(o.series, (p) => p.x, false)
  const [yLo, yHi] = o.yDomain ?? extent(o.series, (p) => p.y, logY)
  const pad = !o.yDomain && !logY && Number.isFinite(yLo) ? (o.yPadding ?? 0) * (yHi - yLo) : 0
  const [y0, y1] = [yLo - pad, yHi + pad]
  const xNice = o.xDomain
    ? {
        domain: [o.xDomain[0], o.xDomain[1]] as [number, number],
        ticks: niceLinear(o.xDomain[0], o.xDomain[1]).ticks.filter((t) => t >= o.xDomain![0] && t <= o.xDomain![1])
      }
    : niceLinear(x0, x1, 6)
  if (o.xIntegers) {
    const span = xNice.domain[1] - xNice.domain[0]
    const nice = niceLinear(xNice.domain[0], xNice.domain[1], 6).ticks
    const step = Math.max(1, Math.round(nice.length > 1 ? nice[1]! - nice[0]! : 1))
    // multiples of the step inside the domain, so an axis from epoch 1 to 30 reads 5, 10, ..., 30
    xNice.ticks = []
    for (let t = Math.ceil(xNice.domain[0] / step) * step; t <= xNice.domain[1] + 1e-9; t += step) xNice.ticks.push(t)
    if (span === 0 || xNice.ticks.length === 0) xNice.ticks = [xNice.domain[0]]
  }
  const yNice = o.yDomain
    ? {
        domain: [o.yDomain[0], o.yDomain[1]] as [number, number],
        ticks: (logY ? niceLog(o.yDomain[0], o.yDomain[1]) : niceLinear(o.yDomain[0], o.yDomain[1])).ticks.filter(
          (t) => t >= o.yDomain![0] - 1e-12 && t <= o.yDomain![1] + 1e-12
        )
      }
    : logY
      ? Number.isFinite(y0)
        ? niceLog(y0, y1)
        : { domain: [1, 10] as [number, number], ticks: [1, 10] }
      : niceLinear(y0, y1, 5)
  const left = L.marginLeft
  const top = L.marginTop
  const plotWidth = width - L.marginLeft - L.marginRight
  const xs: Scale = { kind: "linear", domain: xNice.domain, range: [left, left + plotWidth] }
  const ys: Scale = { kind: logY ? "log" : "linear", domain: yNice.domain, range: [top + plotHeight, top] }

  const legend =
    o.legend ?? o.series.map((s) => ({ label: s.name, color: s.color, ...(s.dash ? { dash: s.dash } : {}), ...(s.marker ? { marker: s.marker } : {}) }))
  const legendTop = top + plotHeight + L.axisBottom + L.legendPadTop
  // Flow layout: entries left to right, wrapping at the plot's width.
  const placed: Array<{ entry: LegendEntry; x: number; row: number }> = []
  let cursor = 0
  let row = 0
  for (const entry of legend) {
    const w = 36 + textWidth(entry.label) + 22
    if (cursor > 0 && cursor + w > plotWidth) {
      cursor = 0
      row++
    }
    placed.push({ entry, x: left + cursor, row })
    cursor += w
  }
  const rows = legend.length === 0 ? 0 : row + 1
  const height = legendTop + rows * L.legendRow + L.legendPadBottom
  const clipId = `clip-${slug(o.id ?? o.title)}`
  const markers = o.markers ?? o.series.every((s) => s.points.length <= 15)

  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${coord(height)}" viewBox="0 0 ${width} ${coord(height)}" role="img" aria-label="${escapeXml(plainLabel(o.title))}" font-family="'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif" font-size="${L.fontSize}">`
  )
  out.push(`<title>${escapeXml(plainLabel(o.title))}</title>`)
  out.push(`<rect class="background" x="0" y="0" width="${width}" height="${coord(height)}" fill="#ffffff"/>`)
  out.push(`<text class="chart-title" x="${left}" y="22" font-size="14" font-weight="600" fill="#222">${richLabel(o.title)}</text>`)
  out.push(
    `<g class="plot" data-plot="${left} ${top} ${plotWidth} ${plotHeight}" data-x-domain="${xs.domain[0]} ${xs.domain[1]}" data-y-domain="${ys.domain[0]} ${ys.domain[1]}" data-y-scale="${ys.kind}">`
  )
  out.push(`<defs><clipPath id="${clipId}"><rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}"/></clipPath></defs>`)
  // Grid and y ticks.
  out.push(`<g class="axis y-axis">`)
  for (const t of yNice.ticks) {
    const y = coord(project(ys, t))
    out.push(`<line class="grid" x1="${left}" x2="${left + plotWidth}" y1="${y}" y2="${y}" stroke="#e6e6e6"/>`)
    out.push(`<line class="tick" x1="${left - 5}" x2="${left}" y1="${y}" y2="${y}" stroke="#444"/>`)
    out.push(
      `<text class="tick-label" x="${left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#333" data-value="${t}">${escapeXml(formatTick(t))}</text>`
    )
  }
  out.push(`</g>`)
  out.push(`<g class="axis x-axis">`)
  for (const t of xNice.ticks) {
    const x = coord(project(xs, t))
    out.push(`<line class="grid" x1="${x}" x2="${x}" y1="${top}" y2="${top + plotHeight}" stroke="#f0f0f0"/>`)
    out.push(`<line class="tick" x1="${x}" x2="${x}" y1="${top + plotHeight}" y2="${top + plotHeight + 5}" stroke="#444"/>`)
    out.push(
      `<text class="tick-label" x="${x}" y="${top + plotHeight + 18}" text-anchor="middle" fill="#333" data-value="${t}">${escapeXml(formatTick(t))}</text>`
    )
  }
  out.push(`</g>`)
  out.push(`<rect class="frame" x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#444"/>`)
  if (o.referenceY !== undefined && o.referenceY >= Math.min(...ys.domain) && o.referenceY <= Math.max(...ys.domain)) {
    const y = coord(project(ys, o.referenceY))
    out.push(`<line class="reference" x1="${left}" x2="${left + plotWidth}" y1="${y}" y2="${y}" stroke="#999" stroke-dasharray="3 3"/>`)
  }
  // Bands first, so every line stays on top of every band.
  for (const s of o.series) {
    const band = (s.band ?? []).filter((b) => Number.isFinite(b.x) && Number.isFinite(b.lo) && Number.isFinite(b.hi) && !(logY && b.lo <= 0))
    if (band.length < 2) continue
    const edge = [...band.map((b) => [b.x, b.hi] as const), ...[...band].reverse().map((b) => [b.x, b.lo] as const)]
    const d = edge.map(([x, y], i) => `${i === 0 ? "M" : "L"}${coord(project(xs, x))},${coord(project(ys, y))}`).join("")
    out.push(
      `<path class="band" data-series="${escapeXml(s.name)}" d="${d}Z" fill="${escapeXml(s.color)}" fill-opacity="0.15" stroke="none" clip-path="url(#${clipId})"/>`
    )
  }
  for (const s of o.series) {
    const visible = s.points.filter((p) => Number.isFinite(p.y) && !(logY && p.y <= 0))
    let d = ""
    let pen = false
    for (const p of s.points) {
      if (!Number.isFinite(p.y) || (logY && p.y <= 0)) {
        pen = false
        continue
      }
      d += `${pen ? "L" : "M"}${coord(project(xs, p.x))},${coord(project(ys, p.y))}`
      pen = true
    }
    out.push(`<g class="series" data-series="${escapeXml(s.name)}" clip-path="url(#${clipId})">`)
    if (d)
      out.push(`<path d="${d}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"${dashAttr(s.dash)}/>`)
    if (s.marker) {
      const every = Math.max(1, Math.ceil(visible.length / 15))
      visible.forEach((p, i) => {
        if (i % every === 0 || i === visible.length - 1) out.push(markerSvg(s.marker!, project(xs, p.x), project(ys, p.y), s.color))
      })
    } else if (markers)
      for (const p of visible) out.push(`<circle cx="${coord(project(xs, p.x))}" cy="${coord(project(ys, p.y))}" r="2.5" fill="${escapeXml(s.color)}"/>`)
    out.push(`</g>`)
  }
  out.push(`</g>`)
  out.push(
    `<text class="axis-label x-label" x="${coord(left + plotWidth / 2)}" y="${top + plotHeight + 40}" text-anchor="middle" fill="#222">${richLabel(o.xLabel)}</text>`
  )
  const yMid = coord(top + plotHeight / 2)
  out.push(
    `<text class="axis-label y-label" x="18" y="${yMid}" text-anchor="middle" transform="rotate(-90 18 ${yMid})" fill="#222">${richLabel(o.yLabel)}</text>`
  )
  out.push(`<g class="legend">`)
  placed.forEach(({ entry: e, x, row: r }) => {
    const y = legendTop + r * L.legendRow + L.legendRow / 2
    out.push(`<g class="legend-entry">`)
    out.push(
      `<line x1="${coord(x)}" x2="${coord(x + 28)}" y1="${coord(y)}" y2="${coord(y)}" stroke="${escapeXml(e.color)}" stroke-width="2.5"${dashAttr(e.dash)}/>`
    )
    if (e.marker) out.push(markerSvg(e.marker, x + 14, y, e.color))
    out.push(`<text x="${coord(x + 36)}" y="${coord(y)}" dominant-baseline="middle" fill="#222">${richLabel(e.label)}</text>`)
    out.push(`</g>`)
  })
  out.push(`</g>`)
  out.push(`</svg>`)
  return out.join("\n")
}
