/** Text and attribute values escaped for XML (SVG inline in HTML, or standalone). */
export const escapeXml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")

/** A coordinate with at most two decimals, no trailing zeros, never "-0". */
export const coord = (v: number): string => {
  const r = Math.round(v * 100) / 100
  return Object.is(r, -0) ? "0" : String(r)
}
