/**
 * Where a profiled step's time went: `tf.profile`'s kernels grouped by name, most time first.
 * A backend with timers reports each kernel's own time (webgpu: GPU timestamps; cpu and native:
 * wall time around the call); a backend without them reports none, and so does this.
 */
export interface TimedKernel {
  readonly name: string
  /** A number once `tf.profile` has awaited it; `{ error }` where the backend cannot time (typed as tfjs types it). */
  readonly kernelTimeMs: number | { readonly error: string } | Promise<unknown>
}

export interface KernelTime {
  readonly name: string
  readonly calls: number
  readonly ms: number
  /** Of the kernels' summed time, not of the step's wall time (which adds dispatch and reads). */
  readonly share: number
}

/** The `top` kernel names by summed time; empty when no kernel was timed. */
export const kernelTimes = (kernels: readonly TimedKernel[], top: number): KernelTime[] => {
  if (!Number.isInteger(top) || top < 0) throw new RangeError(`--kernels: expected a whole number of kernels, 0 or more, got ${top}`)
  const byName = new Map<string, { calls: number; ms: number }>()
  for (const k of kernels) {
    if (typeof k.kernelTimeMs !== "number") continue
    const entry = byName.get(k.name) ?? { calls: 0, ms: 0 }
    entry.calls++
    entry.ms += k.kernelTimeMs
    byName.set(k.name, entry)
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0)
  if (total <= 0) return []
  return [...byName.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, top)
    .map(([name, e]) => ({ name, calls: e.calls, ms: Number(e.ms.toFixed(3)), share: Number((e.ms / total).toFixed(3)) }))
}
