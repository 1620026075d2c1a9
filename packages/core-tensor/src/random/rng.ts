/**
 * A seeded pseudo-random generator computed in JavaScript, so the same seed gives the
 * same numbers on every tfjs backend. xoshiro128** with splitmix32 seeding; `fork`
 * derives independent streams by name (init, shuffle, noise, augmentation never share one).
 */
export class Rng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number
  private spareNormal: number | undefined

  constructor(readonly seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`Rng seed must be an integer, got ${seed}`)
    let x = seed >>> 0
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0
      let z = x
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      return (z ^ (z >>> 16)) >>> 0
    }
    this.s0 = next()
    this.s1 = next()
    this.s2 = next()
    this.s3 = next()
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1
  }

  /** A new generator whose stream depends on this seed and `name` only (not on draws made so far). */
  fork(name: string | number): Rng {
    let h = 0x811c9dc5 ^ (this.seed >>> 0)
    const key = String(name)
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0
    return new Rng(h | 0)
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0
    const t = (this.s1 << 9) >>> 0
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    this.s0 >>>= 0
    this.s1 >>>= 0
    this.s2 >>>= 0
    this.s3 >>>= 0
    return result
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5
    const lo = this.nextUint32() >>> 6
    return (hi * 67108864 + lo) / 9007199254740992
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int needs a positive integer bound, got ${n}`)
    const limit = Math.floor(4294967296 / n) * n
    let r = this.nextUint32()
    while (r >= limit) r = this.nextUint32()
    return r % n
  }

  /** Standard normal (Box-Muller, caching the second draw). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal
      this.spareNormal = undefined
      return v
    }
    let u = 0
    while (u === 0) u = this.uniform()
    const v = this.uniform()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spareNormal = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  bernoulli(p: number): boolean {
    return this.uniform() < p
  }

  /** Fill a new Float32Array with uniform values in [low, high). */
  uniformArray(size: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(size)
    const span = high - low
    for (let i = 0; i < size; i++) out[i] = low + span * this.uniform()
    return out
  }

  normalArray(size: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(size)
    for (let i = 0; i < size; i++) out[i] = mean + std * this.normal()
    return out
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n)
    for (let i = 0; i < n; i++) out[i] = i
    this.shuffleInPlace(out)
    return out
  }

  shuffleInPlace<T extends { length: number; [i: number]: any }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const tmp = items[i]
      items[i] = items[j]
      items[j] = tmp
    }
    return items
  }
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0
