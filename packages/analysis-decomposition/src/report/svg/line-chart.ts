import { ReportInputError } from "../../errors.js"
import { coord, escapeXml } from "./escape.js"
import { type Scale, formatTick, niceLinear, niceLog, project } from "./scale.js"

export type Dash = "solid" | "dashed" | "dotted"

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
}

export interface LegendEntry {
  readonly label: string
  readonly color: string
  readonly dash?: Dash
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

export const palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
const dashArray: Record<Dash, string | undefined> = { solid: undefined, dashed: "7 4", dotted: "2 3" }

/** Layout constants, exported so tests can check the geometry independently. */
export const chartLayout = { marginLeft: 72, marginRight: 20, marginTop: 36, axisBottom: 52, legendRow: 20, legendPadTop: 8, legendPadBottom: 10, fontSize: 12 }

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "chart"

const dashAttr = (d: Dash | undefined): string => {
  const v = dashArray[d ?? "solid"]
  return v ? ` stroke-dasharray="${v}"` : ""
}

/** Approximate text width at the chart's font size (for legend columns). */
const textWidth = (s: string): number => s.length * chartLayout.fontSize * 0.6

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
  for (const s of o.series) for (const [i, p] of s.points.entries()) if (!Number.isFinite(p.x)) throw new ReportInputError(`chart "${o.title}" series "${s.name}" point ${i}`, `x is ${p.x}`)
  const [x0, x1] = o.xDomain ?? extent(o.series, (p) => p.x, false)
  const [yLo, yHi] = o.yDomain ?? extent(o.series, (p) => p.y, logY)
  const pad = !o.yDomain && !logY && Number.isFinite(yLo) ? (o.yPadding ?? 0) * (yHi - yLo) : 0
  const [y0, y1] = [yLo - pad, yHi + pad]
  const xNice = o.xDomain ? { domain: [o.xDomain[0], o.xDomain[1]] as [number, number], ticks: niceLinear(o.xDomain[0], o.xDomain[1]).ticks.filter((t) => t >= o.xDomain![0] && t <= o.xDomain![1]) } : niceLinear(x0, x1, 6)
  if (o.xIntegers) {
    const span = xNice.domain[1] - xNice.domain[0]
    const step = Math.max(1, xNice.ticks.length > 1 ? xNice.ticks[1]! - xNice.ticks[0]! : 1)
    xNice.ticks = []
    for (let t = Math.ceil(xNice.domain[0]); t <= xNice.domain[1] + 1e-9; t += Math.round(step)) xNice.ticks.push(t)
    if (span === 0) xNice.ticks = [xNice.domain[0]]
  }
  const yNice = o.yDomain
    ? { domain: [o.yDomain[0], o.yDomain[1]] as [number, number], ticks: (logY ? niceLog(o.yDomain[0], o.yDomain[1]) : niceLinear(o.yDomain[0], o.yDomain[1])).ticks.filter((t) => t >= o.yDomain![0] - 1e-12 && t <= o.yDomain![1] + 1e-12) }
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

  const legend = o.legend ?? o.series.map((s) => ({ label: s.name, color: s.color, ...(s.dash ? { dash: s.dash } : {}) }))
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
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${coord(height)}" viewBox="0 0 ${width} ${coord(height)}" role="img" aria-label="${escapeXml(o.title)}" font-family="'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif" font-size="${L.fontSize}">`
  )
  out.push(`<title>${escapeXml(o.title)}</title>`)
  out.push(`<rect class="background" x="0" y="0" width="${width}" height="${coord(height)}" fill="#ffffff"/>`)
  out.push(`<text class="chart-title" x="${left}" y="22" font-size="14" font-weight="600" fill="#222">${escapeXml(o.title)}</text>`)
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
    out.push(`<text class="tick-label" x="${left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#333" data-value="${t}">${escapeXml(formatTick(t))}</text>`)
  }
  out.push(`</g>`)
  out.push(`<g class="axis x-axis">`)
  for (const t of xNice.ticks) {
    const x = coord(project(xs, t))
    out.push(`<line class="grid" x1="${x}" x2="${x}" y1="${top}" y2="${top + plotHeight}" stroke="#f0f0f0"/>`)
    out.push(`<line class="tick" x1="${x}" x2="${x}" y1="${top + plotHeight}" y2="${top + plotHeight + 5}" stroke="#444"/>`)
    out.push(`<text class="tick-label" x="${x}" y="${top + plotHeight + 18}" text-anchor="middle" fill="#333" data-value="${t}">${escapeXml(formatTick(t))}</text>`)
  }
  out.push(`</g>`)
  out.push(`<rect class="frame" x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#444"/>`)
  if (o.referenceY !== undefined && o.referenceY >= Math.min(...ys.domain) && o.referenceY <= Math.max(...ys.domain)) {
    const y = coord(project(ys, o.referenceY))
    out.push(`<line class="reference" x1="${left}" x2="${left + plotWidth}" y1="${y}" y2="${y}" stroke="#999" stroke-dasharray="3 3"/>`)
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
    if (d) out.push(`<path d="${d}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"${dashAttr(s.dash)}/>`)
    if (markers) for (const p of visible) out.push(`<circle cx="${coord(project(xs, p.x))}" cy="${coord(project(ys, p.y))}" r="2.5" fill="${escapeXml(s.color)}"/>`)
    out.push(`</g>`)
  }
  out.push(`</g>`)
  out.push(`<text class="axis-label x-label" x="${coord(left + plotWidth / 2)}" y="${top + plotHeight + 40}" text-anchor="middle" fill="#222">${escapeXml(o.xLabel)}</text>`)
  const yMid = coord(top + plotHeight / 2)
  out.push(`<text class="axis-label y-label" x="18" y="${yMid}" text-anchor="middle" transform="rotate(-90 18 ${yMid})" fill="#222">${escapeXml(o.yLabel)}</text>`)
  out.push(`<g class="legend">`)
  placed.forEach(({ entry: e, x, row: r }) => {
    const y = legendTop + r * L.legendRow + L.legendRow / 2
    out.push(`<g class="legend-entry">`)
    out.push(`<line x1="${coord(x)}" x2="${coord(x + 28)}" y1="${coord(y)}" y2="${coord(y)}" stroke="${escapeXml(e.color)}" stroke-width="2.5"${dashAttr(e.dash)}/>`)
    out.push(`<text x="${coord(x + 36)}" y="${coord(y)}" dominant-baseline="middle" fill="#222">${escapeXml(e.label)}</text>`)
    out.push(`</g>`)
  })
  out.push(`</g>`)
  out.push(`</svg>`)
  return out.join("\n")
}
