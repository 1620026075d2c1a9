/** Distribution summaries of host arrays, in float64. Non-finite values are counted and left out. */

export interface DistributionSummary {
  /** Finite values summarised. */
  readonly count: number
  /** Values left out because they were NaN or infinite. */
  readonly nonFinite: number
  readonly mean: number
  readonly std: number
  readonly min: number
  readonly q10: number
  readonly q25: number
  readonly median: number
  readonly q75: number
  readonly q90: number
  readonly max: number
}

/**
 * Quantile `q` in [0, 1] of sorted values by linear interpolation between order statistics
 * (position q * (n - 1): NumPy's default, R's type 7). NaN for an empty array.
 */
export const quantileSorted = (sorted: ArrayLike<number>, q: number): number => {
  const n = sorted.length
  if (n === 0) return Number.NaN
  const pos = q * (n - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(n - 1, lo + 1)
  const frac = pos - lo
  return sorted[lo]! + frac * (sorted[hi]! - sorted[lo]!)
}

/** Mean, population standard deviation, extremes and quantiles of the finite values of `values`. */
export const summarize = (values: ArrayLike<number>): DistributionSummary => {
  const finite: number[] = []
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finite.push(values[i]!)
  const sorted = Float64Array.from(finite).sort()
  const n = sorted.length
  let sum = 0
  for (const v of sorted) sum += v
  const mean = n === 0 ? Number.NaN : sum / n
  let ss = 0
  for (const v of sorted) ss += (v - mean) ** 2
  return {
    count: n,
    nonFinite: values.length - n,
    mean,
    std: n === 0 ? Number.NaN : Math.sqrt(ss / n),
    min: n === 0 ? Number.NaN : sorted[0]!,
    q10: quantileSorted(sorted, 0.1),
    q25: quantileSorted(sorted, 0.25),
    median: quantileSorted(sorted, 0.5),
    q75: quantileSorted(sorted, 0.75),
    q90: quantileSorted(sorted, 0.9),
    max: n === 0 ? Number.NaN : sorted[n - 1]!
  }
}

/** The values of `values` at positions where `mask` is `want` (1 or 0). */
export const selectByMask = (values: ArrayLike<number>, mask: ArrayLike<number>, want: 0 | 1): Float64Array => {
  const out: number[] = []
  for (let i = 0; i < values.length; i++) if ((mask[i] ? 1 : 0) === want) out.push(values[i]!)
  return Float64Array.from(out)
}

/**
 * Mean of the finite values; null when there are none (no values, or only null, undefined, NaN
 * or infinities). The one mean of the repository's summaries: a missing run or an undefined
 * metric is left out rather than turning the whole mean into NaN; `?? Number.NaN` where a
 * number is needed.
 */
export const meanOf = (values: ArrayLike<number | null | undefined>): number | null => {
  let sum = 0
  let count = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (typeof v === "number" && Number.isFinite(v)) {
      sum += v
      count++
    }
  }
  return count === 0 ? null : sum / count
}
