/**
 * An independent plain-JS (float64, explicit loops) implementation of the layers, used as
 * the reference the tfjs models are checked against. One example at a time, NHWC.
 */
export interface Image {
  readonly h: number
  readonly w: number
  readonly c: number
  readonly data: Float64Array
}

export const image = (h: number, w: number, c: number, data?: ArrayLike<number>): Image => ({
  h,
  w,
  c,
  data: data ? Float64Array.from(data) : new Float64Array(h * w * c)
})

export const at = (m: Image, y: number, x: number, ch: number): number => m.data[(y * m.w + x) * m.c + ch]!

/** Kernel as a flat HWIO array [k, k, in, out]. */
export const convJs = (m: Image, kernel: ArrayLike<number>, k: number, out: number, stride: number, pad: number, bias?: ArrayLike<number>): Image => {
  const oh = Math.floor((m.h + 2 * pad - k) / stride) + 1
  const ow = Math.floor((m.w + 2 * pad - k) / stride) + 1
  const r = image(oh, ow, out)
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let o = 0; o < out; o++) {
        let s = bias ? bias[o]! : 0
        for (let ky = 0; ky < k; ky++)
          for (let kx = 0; kx < k; kx++) {
            const y = oy * stride + ky - pad
            const x = ox * stride + kx - pad
            if (y < 0 || y >= m.h || x < 0 || x >= m.w) continue
            for (let i = 0; i < m.c; i++) s += at(m, y, x, i) * kernel[((ky * k + kx) * m.c + i) * out + o]!
          }
        r.data[(oy * ow + ox) * out + o] = s
      }
  return r
}

export const maxPoolJs = (m: Image): Image => {
  const r = image(Math.floor(m.h / 2), Math.floor(m.w / 2), m.c)
  for (let y = 0; y < r.h; y++)
    for (let x = 0; x < r.w; x++)
      for (let ch = 0; ch < m.c; ch++) {
        r.data[(y * r.w + x) * m.c + ch] = Math.max(
          at(m, 2 * y, 2 * x, ch),
          at(m, 2 * y, 2 * x + 1, ch),
          at(m, 2 * y + 1, 2 * x, ch),
          at(m, 2 * y + 1, 2 * x + 1, ch)
        )
      }
  return r
}

export const mapImage = (m: Image, f: (v: number, ch: number) => number): Image => ({ ...m, data: m.data.map((v, i) => f(v, i % m.c)) })

export const addImages = (a: Image, b: Image): Image => ({ ...a, data: a.data.map((v, i) => v + b.data[i]!) })

export const relu = (v: number): number => Math.max(0, v)

/** Per-channel mean and biased variance over a batch of images (all positions). */
export const channelStats = (batch: readonly Image[]): { mean: number[]; variance: number[]; count: number } => {
  const c = batch[0]!.c
  const mean = new Array<number>(c).fill(0)
  const sq = new Array<number>(c).fill(0)
  let count = 0
  for (const m of batch) for (let i = 0; i < m.data.length; i++) mean[i % c]! += m.data[i]!
  count = batch.reduce((n, m) => n + m.h * m.w, 0)
  for (let ch = 0; ch < c; ch++) mean[ch]! /= count
  for (const m of batch) for (let i = 0; i < m.data.length; i++) sq[i % c]! += (m.data[i]! - mean[i % c]!) ** 2
  return { mean, variance: sq.map((s) => s / count), count }
}

export const normaliseJs = (
  m: Image,
  mean: readonly number[],
  variance: readonly number[],
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  eps = 1e-5
): Image => mapImage(m, (v, ch) => ((v - mean[ch]!) / Math.sqrt(variance[ch]! + eps)) * gamma[ch]! + beta[ch]!)

export const globalAverageJs = (m: Image): number[] => {
  const out = new Array<number>(m.c).fill(0)
  for (let i = 0; i < m.data.length; i++) out[i % m.c]! += m.data[i]!
  return out.map((s) => s / (m.h * m.w))
}

/** x W + b for one example, x [in], W flat [in, out]. */
export const denseFlatJs = (x: ArrayLike<number>, W: ArrayLike<number>, out: number, b?: ArrayLike<number>): number[] => {
  const r = new Array<number>(out).fill(0)
  for (let j = 0; j < out; j++) {
    let s = b ? b[j]! : 0
    for (let i = 0; i < x.length; i++) s += x[i]! * W[i * out + j]!
    r[j] = s
  }
  return r
}
