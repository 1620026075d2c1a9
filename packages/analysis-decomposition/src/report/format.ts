import { escapeXml } from "./svg/escape.js"

/** A fraction as a percentage with one decimal ("45.3"), "–" when absent or NaN. */
export const percent = (v: number | undefined, std?: number): string => {
  if (v === undefined || !Number.isFinite(v)) return "–"
  const main = (100 * v).toFixed(1)
  return std !== undefined && Number.isFinite(std) ? `${main} ± ${(100 * std).toFixed(1)}` : main
}

export const integer = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "–" : String(Math.round(v)))

export const seconds = (v: number | undefined): string => {
  if (v === undefined || !Number.isFinite(v)) return "–"
  return v >= 100 ? v.toFixed(0) : v.toFixed(1)
}

export const html = escapeXml
