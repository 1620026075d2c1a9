/** Step-aligned means over seeds: the curve a chart draws for one group of runs. */
export interface MeanCurve {
  readonly steps: number[]
  readonly values: Array<number | null>
}

/**
 * Averages `pick(record)` over runs at each step that every run recorded (runs of one
 * config record the same steps); null where no run has a finite value.
 */
export const meanCurve = <R extends { readonly step: number }>(runs: ReadonlyArray<ReadonlyArray<R>>, pick: (r: R) => number | null): MeanCurve => {
  if (runs.length === 0) return { steps: [], values: [] }
  const common = runs.map((rs) => new Set(rs.map((r) => r.step))).reduce((a, b) => new Set([...a].filter((s) => b.has(s))))
  const steps = [...common].sort((a, b) => a - b)
  const values = steps.map((s) => {
    const vs = runs.map((rs) => pick(rs.find((r) => r.step === s)!)).filter((v): v is number => v !== null && Number.isFinite(v))
    return vs.length === 0 ? null : vs.reduce((a, b) => a + b, 0) / vs.length
  })
  return { steps, values }
}
