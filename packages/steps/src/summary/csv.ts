/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180); objects as JSON; null and absent as empty. */
const field = (v: unknown): string => {
  if (v === null || v === undefined) return ""
  const s = typeof v === "object" ? JSON.stringify(v) : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Rows of objects as CSV: one column per key seen in any row, in order of first appearance. */
export const toCsv = (rows: readonly Readonly<Record<string, unknown>>[]): string => {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  if (columns.length === 0) return ""
  return [columns.map(field).join(","), ...rows.map((r) => columns.map((c) => field(r[c])).join(","))].join("\n") + "\n"
}
