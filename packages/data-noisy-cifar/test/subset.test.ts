import { describe, expect, it } from "vitest"
import { InvalidOptionError, SubsetError, applyLabelNoise, holdOutValidation, randomIndices, stratifiedIndices } from "../src/index.js"
import { roundRobinLabels } from "./helpers/files.js"

const countBy = (labels: ArrayLike<number>, idx: ArrayLike<number>, k: number) => {
  const out = new Array(k).fill(0)
  for (let t = 0; t < idx.length; t++) out[labels[idx[t]!]!]++
  return out
}
const isAscendingUnique = (a: Int32Array) => a.every((v, i) => i === 0 || v > a[i - 1]!)

describe("stratified subsets", () => {
  const labels = roundRobinLabels(10, 50)

  it("takes n per class, as sorted unique indices", () => {
    const idx = stratifiedIndices(labels, 10, { perClass: 7 }, 1)
    expect(idx.length).toBe(70)
    expect(isAscendingUnique(idx)).toBe(true)
    expect(countBy(labels, idx, 10)).toEqual(new Array(10).fill(7))
  })

  it("spreads a total evenly: floor(total / K) each, the remainder one each to distinct classes", () => {
    const idx = stratifiedIndices(labels, 10, { total: 25 }, 3)
    const counts = countBy(labels, idx, 10)
    expect(idx.length).toBe(25)
    expect(counts.filter((c) => c === 3)).toHaveLength(5)
    expect(counts.filter((c) => c === 2)).toHaveLength(5)
  })

  it("is deterministic in the seed and varies with it", () => {
    expect(Array.from(stratifiedIndices(labels, 10, { perClass: 5 }, 4))).toEqual(Array.from(stratifiedIndices(labels, 10, { perClass: 5 }, 4)))
    expect(Array.from(stratifiedIndices(labels, 10, { perClass: 5 }, 4))).not.toEqual(Array.from(stratifiedIndices(labels, 10, { perClass: 5 }, 5)))
  })

  it("draws every example of a class with equal probability", () => {
    // 2 of 4 per class: over 2000 seeds each example is picked about half the time.
    const small = roundRobinLabels(2, 4)
    const hits = new Array(8).fill(0)
    for (let s = 0; s < 2000; s++) for (const i of stratifiedIndices(small, 2, { perClass: 2 }, s)) hits[i]++
    for (const h of hits) expect(Math.abs(h - 1000)).toBeLessThan(5 * Math.sqrt(2000 * 0.25))
  })

  it("names the class that is too small", () => {
    const uneven = [0, 0, 0, 1, 2, 2]
    let err: unknown
    try {
      stratifiedIndices(uneven, 3, { perClass: 2 }, 1)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SubsetError)
    expect(err).toMatchObject({ _tag: "SubsetError", classIndex: 1, requested: 2, available: 1 })
    expect(() => stratifiedIndices(uneven, 3, { perClass: -1 }, 1)).toThrow(InvalidOptionError)
  })

  it("random subsets: the right size, unique, seeded", () => {
    const idx = randomIndices(100, 30, 2)
    expect(idx.length).toBe(30)
    expect(isAscendingUnique(idx)).toBe(true)
    expect(idx[29]!).toBeLessThan(100)
    expect(Array.from(randomIndices(100, 30, 2))).toEqual(Array.from(idx))
    expect(() => randomIndices(10, 11, 1)).toThrow(InvalidOptionError)
  })
})

describe("held-out noisy validation split", () => {
  it("is stratified by the noisy labels, disjoint from training, and keeps the noise", () => {
    const clean = roundRobinLabels(10, 100)
    const noise = applyLabelNoise(clean, { numClasses: 10, spec: { kind: "symmetric", rate: 0.4 }, rng: 1 })
    const { train, validation } = holdOutValidation(noise.noisy, 10, { perClass: 10 }, 6)
    expect(validation.length).toBe(100)
    expect(train.length).toBe(900)
    expect(countBy(noise.noisy, validation, 10)).toEqual(new Array(10).fill(10))
    const all = new Set([...train, ...validation])
    expect(all.size).toBe(1000)
    // Noisy examples land in validation in about the global proportion (40 of 100 expected).
    const noisyInValidation = Array.from(validation).filter((i) => noise.isNoisy[i]).length
    expect(noisyInValidation).toBeGreaterThan(20)
    expect(noisyInValidation).toBeLessThan(60)
  })

  it("restricts both parts to a given pool", () => {
    const labels = roundRobinLabels(2, 10)
    const pool = [1, 2, 3, 4, 5, 6, 7, 8]
    const { train, validation } = holdOutValidation(labels, 2, { total: 4 }, 1, pool)
    expect([...train, ...validation].sort((a, b) => a - b)).toEqual(pool)
    expect(countBy(labels, validation, 2)).toEqual([2, 2])
  })
})
