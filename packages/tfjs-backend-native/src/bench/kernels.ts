import * as tf from "@tensorflow/tfjs-core"

export interface KernelBenchOptions {
  /** tfjs backends to time, in order (default native, cpu, wasm; absent ones are reported as skipped). */
  readonly backends?: readonly string[]
  /** Time spent per case and backend before stopping (default 0.5 s; one call at least). */
  readonly secondsPerCase?: number
  /** Batch size of the CNN convolutions and the matmul's M (default 128). */
  readonly batch?: number
  /** Only cases whose name contains this. */
  readonly filter?: string
  /**
   * Also time tfjs's cpu Conv2DBackpropFilter at batch 128 (default false): it runs at
   * about 0.003 GFLOP/s, i.e. minutes per call, so by default its rows are reported skipped.
   */
  readonly includeSlowCpu?: boolean
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void
}

export interface KernelBenchRow {
  readonly backend: string
  readonly case: string
  readonly flops: number
  /** Best time of one call, milliseconds; undefined when the backend could not run it. */
  readonly ms: number | undefined
  readonly gflops: number | undefined
  readonly note?: string
}

interface BenchCase {
  readonly name: string
  readonly flops: number
  /** Makes the inputs (kept) and returns the call to time (whose result is disposed). */
  readonly setup: () => { run: () => tf.TensorInfo | tf.Tensor; dispose: () => void }
}

const uniform = (shape: number[], seed: number): tf.Tensor => {
  // A fixed pattern, not tfjs's random ops (those differ across backends).
  const n = shape.reduce((a, b) => a * b, 1)
  const v = new Float32Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    v[i] = s / 4294967296 - 0.5
  }
  return tf.tensor(v, shape, "float32")
}

const matmulCases = (batch: number): BenchCase[] => {
  const [m, k, n] = [batch, 3072, 512]
  return [false, true].flatMap((ta) =>
    [false, true].map((tb) => ({
      name: `matmul ${m}x${k} * ${k}x${n}${ta ? " A^T" : ""}${tb ? " B^T" : ""}`,
      flops: 2 * m * n * k,
      setup: () => {
        const a = uniform(ta ? [k, m] : [m, k], 1)
        const b = uniform(tb ? [n, k] : [k, n], 2)
        return { run: () => tf.matMul(a, b, ta, tb), dispose: () => tf.dispose([a, b]) }
      }
    }))
  )
}

/** The small CNN's three 3x3 'same' convolutions: 3->32 at 32x32, 32->64 at 16x16, 64->128 at 8x8. */
const convCases = (batch: number): BenchCase[] =>
  [
    [32, 3, 32],
    [16, 32, 64],
    [8, 64, 128]
  ].flatMap(([hw, cin, cout]) => {
    const xShape: [number, number, number, number] = [batch, hw!, hw!, cin!]
    const wShape: [number, number, number, number] = [3, 3, cin!, cout!]
    const yShape = [batch, hw!, hw!, cout!]
    const flops = 2 * batch * hw! * hw! * 9 * cin! * cout!
    const tag = `conv3x3 ${cin}->${cout} @${hw}x${hw}`
    const attrs = { strides: [1, 1], pad: "same", dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode: undefined }
    return [
      {
        name: `${tag} forward`,
        flops,
        setup: () => {
          const x = uniform(xShape, 3)
          const w = uniform(wShape, 4)
          return { run: () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"), dispose: () => tf.dispose([x, w]) }
        }
      },
      {
        name: `${tag} input-grad`,
        flops,
        setup: () => {
          const dy = uniform(yShape, 5)
          const w = uniform(wShape, 4)
          return {
            run: () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { ...attrs, inputShape: xShape } as never) as tf.Tensor,
            dispose: () => tf.dispose([dy, w])
          }
        }
      },
      {
        name: `${tag} filter-grad`,
        flops,
        setup: () => {
          const x = uniform(xShape, 3)
          const dy = uniform(yShape, 5)
          return {
            run: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape: wShape } as never) as tf.Tensor,
            dispose: () => tf.dispose([x, dy])
          }
        }
      }
    ]
  })

const activate = async (backend: string): Promise<string | undefined> => {
  try {
    if (backend === "wasm" && tf.findBackendFactory("wasm") === null) await import("@tensorflow/tfjs-backend-wasm" as string)
    if (backend === "cpu") await import("@tensorflow/tfjs-backend-cpu")
    if (!(await tf.setBackend(backend))) return `backend ${backend} failed to initialise`
    await tf.ready()
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message.split("\n")[0] : String(e)
  }
}

const timeOnce = (run: () => tf.TensorInfo | tf.Tensor): number => {
  const t0 = performance.now()
  tf.dispose(run() as tf.Tensor)
  return performance.now() - t0
}

/** Best time of one call: an untimed warm-up call (thread start, scratch buffers), then calls until the budget is spent. */
const timeCase = (c: BenchCase, seconds: number): number => {
  const { run, dispose } = c.setup()
  try {
    const first = timeOnce(run)
    // A backend this slow (the cpu backend on convolutions) is timed by its one call.
    if (first > 2 * seconds * 1000) return first
    let best = Infinity
    const start = performance.now()
    do best = Math.min(best, timeOnce(run))
    while (performance.now() - start < seconds * 1000)
    return best
  } finally {
    dispose()
  }
}

/**
 * Times matmul (each transpose combination) and the small CNN's convolutions (forward,
 * input gradient, filter gradient) on each backend, as GFLOP/s of the best call. The
 * previously active backend is restored afterwards.
 */
export const benchmarkKernels = async (options: KernelBenchOptions = {}): Promise<KernelBenchRow[]> => {
  const backends = options.backends ?? ["native", "cpu", "wasm"]
  const batch = options.batch ?? 128
  const seconds = options.secondsPerCase ?? 0.5
  const cases = [...matmulCases(batch), ...convCases(batch)].filter((c) => !options.filter || c.name.includes(options.filter))
  const previous = tf.getBackend()
  const rows: KernelBenchRow[] = []
  try {
    for (const backend of backends) {
      const failure = await activate(backend)
      for (const c of cases) {
        if (failure) {
          rows.push({ backend, case: c.name, flops: c.flops, ms: undefined, gflops: undefined, note: failure })
          continue
        }
        if (backend === "cpu" && c.name.endsWith("filter-grad") && !options.includeSlowCpu) {
          rows.push({
            backend,
            case: c.name,
            flops: c.flops,
            ms: undefined,
            gflops: undefined,
            note: "skipped: minutes per call on the cpu backend (includeSlowCpu to time it)"
          })
          options.log?.(`${backend.padEnd(7)} ${c.name.padEnd(40)} - (skipped: minutes per call)`)
          continue
        }
        try {
          const ms = timeCase(c, seconds)
          rows.push({ backend, case: c.name, flops: c.flops, ms, gflops: c.flops / ms / 1e6 })
        } catch (e) {
          rows.push({
            backend,
            case: c.name,
            flops: c.flops,
            ms: undefined,
            gflops: undefined,
            note: e instanceof Error ? e.message.split("\n")[0] : String(e)
          })
        }
        const r = rows[rows.length - 1]!
        options.log?.(
          `${backend.padEnd(7)} ${c.name.padEnd(40)} ${r.gflops === undefined ? `- (${r.note})` : `${r.gflops.toFixed(2)} GFLOP/s (${r.ms!.toFixed(2)} ms)`}`
        )
      }
    }
  } finally {
    if (previous) await tf.setBackend(previous)
  }
  return rows
}
