/** Axis scales and tick choice for the charts. */

export interface Scale {
  readonly kind: "linear" | "log"
  readonly domain: readonly [number, number]
  /** Pixel range [from, to] (for y, from is the bottom). */
  readonly range: readonly [number, number]
}

/** The pixel position of `v` (log scales take log10). */
export const project = (s: Scale, v: number): number => {
  const t =
    s.kind === "log"
      ? (Math.log10(v) - Math.log10(s.domain[0])) / (Math.log10(s.domain[1]) - Math.log10(s.domain[0]))
      : (v - s.domain[0]) / (s.domain[1] - s.domain[0])
  return s.range[0] + t * (s.range[1] - s.range[0])
}

/** 1, 2 or 5 times a power of ten, the smallest at least `raw`. */
export const niceStep = (raw: number): number => {
  const p = 10 ** Math.floor(Math.log10(raw))
  const f = raw / p
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p
}

/** Rounds away float noise (0.30000000000000004 -> 0.3) at the step's precision. */
const clean = (v: number, step: number): number => {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1)
  return Number(v.toFixed(Math.min(12, digits)))
}

/**
 * A domain covering [min, max] extended to multiples of a nice step, and its ticks (about
 * `count` of them). A zero-width range is widened so the ticks still make sense.
 */
export const niceLinear = (min: number, max: number, count = 5): { domain: [number, number]; ticks: number[] } => {
  if (!(Number.isFinite(min) && Number.isFinite(max))) return { domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] }
  if (max - min < 1e-12 * Math.max(1, Math.abs(max))) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1
    min -= pad
    max += pad
  }
  const step = niceStep((max - min) / count)
  const lo = Math.floor(min / step + 1e-9) * step
  const hi = Math.ceil(max / step - 1e-9) * step
  const ticks: number[] = []
  for (let v = lo; v <= hi + step * 1e-6; v += step) ticks.push(clean(v, step))
  return { domain: [clean(lo, step), clean(hi, step)], ticks }
}

/** Powers of ten covering [min, max] (min > 0), with 2x and 5x ticks when the span is under two decades. */
export const niceLog = (min: number, max: number): { domain: [number, number]; ticks: number[] } => {
  const lo = Math.floor(Math.log10(min))
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)))
  const ticks: number[] = []
  for (let e = lo; e <= hi; e++) {
    const p = 10 ** e
    ticks.push(Number(p.toPrecision(12)))
    if (hi - lo <= 2 && e < hi) ticks.push(Number((2 * p).toPrecision(12)), Number((5 * p).toPrecision(12)))
  }
  return { domain: [10 ** lo, 10 ** hi], ticks: ticks.sort((a, b) => a - b) }
}

/** A short label for a tick value: up to 4 significant digits, exponent form when very large or small. */
export const formatTick = (v: number): string => {
  if (v === 0) return "0"
  const a = Math.abs(v)
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace("e+", "e")
  return String(Number(v.toPrecision(4)))
}
