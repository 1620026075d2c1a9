import { describe, expect, it } from "vitest"
import {
  CIFAR100_ASYMMETRIC_TARGETS,
  CIFAR100_CLASSES,
  CIFAR100_FINE_TO_COARSE,
  CIFAR10_ASYMMETRIC_TARGETS,
  CIFAR10_CLASSES,
  InvalidOptionError,
  TransitionMatrixError,
  applyLabelNoise,
  empiricalTransition
} from "../src/index.js"
import { exactAllocation } from "../src/noise/apply.js"
import { validateTransitionMatrix } from "../src/noise/transition.js"
import { roundRobinLabels } from "./helpers/files.js"

/** Number of changed labels per clean class. */
const changedPerClass = (clean: ArrayLike<number>, noisy: ArrayLike<number>, k: number) => {
  const out = new Array(k).fill(0)
  for (let i = 0; i < clean.length; i++) if (clean[i] !== noisy[i]) out[clean[i]!]++
  return out
}

describe("symmetric noise", () => {
  it("exact mode flips exactly round(rate * n) labels, stratified, always to another class", () => {
    const clean = roundRobinLabels(10, 100)
    const r = applyLabelNoise(clean, { numClasses: 10, spec: { kind: "symmetric", rate: 0.3 }, rng: 1 })
    expect(r.changed).toBe(300)
    expect(r.selected).toBe(300)
    expect(changedPerClass(clean, r.noisy, 10)).toEqual(new Array(10).fill(30))
    expect(r.realisedRate).toBe(0.3)
    expect(r.nominalRate).toBe(0.3)
    expect(r.expectedRate).toBeCloseTo(0.3, 12)
    for (let i = 0; i < clean.length; i++) expect(r.isNoisy[i]).toBe(r.noisy[i] !== clean[i] ? 1 : 0)
    expect(Array.from(r.clean)).toEqual(clean)
    r.transition.forEach((row, c) => {
      expect(row[c]).toBeCloseTo(0.7, 12)
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    })
    expect(r.expectedTransition[2]![2]).toBeCloseTo(0.7, 12)
    expect(r.expectedTransition[2]![5]).toBeCloseTo(0.3 / 9, 12)
  })

  it("spreads flips uniformly over the other K - 1 classes (chi-square, 8 dof)", () => {
    const clean = roundRobinLabels(10, 2000)
    const r = applyLabelNoise(clean, { numClasses: 10, spec: { kind: "symmetric", rate: 0.5 }, rng: 7 })
    const byShift = new Array(10).fill(0)
    for (let i = 0; i < clean.length; i++) if (r.isNoisy[i]) byShift[(r.noisy[i]! - clean[i]! + 10) % 10]++
    expect(byShift[0]).toBe(0)
    const expected = 10_000 / 9
    const chi2 = byShift.slice(1).reduce((a, o) => a + (o - expected) ** 2 / expected, 0)
    expect(chi2).toBeLessThan(26.1) // p = 0.001
  })

  it("Bernoulli mode flips each label independently: the count is binomial", () => {
    const clean = roundRobinLabels(10, 2000)
    const r = applyLabelNoise(clean, { numClasses: 10, spec: { kind: "symmetric", rate: 0.3 }, mode: "bernoulli", rng: 3 })
    const sd = Math.sqrt(20_000 * 0.3 * 0.7)
    expect(Math.abs(r.changed - 6000)).toBeLessThan(5 * sd)
    expect(r.mode).toBe("bernoulli")
  })

  it("is deterministic in the seed; Bernoulli noise is nested across rates with the same noisy labels", () => {
    const clean = roundRobinLabels(10, 300)
    const spec = { kind: "symmetric", rate: 0.4 } as const
    for (const mode of ["exact", "bernoulli"] as const) {
      const a = applyLabelNoise(clean, { numClasses: 10, spec, mode, rng: 11 })
      const b = applyLabelNoise(clean, { numClasses: 10, spec, mode, rng: 11 })
      const c = applyLabelNoise(clean, { numClasses: 10, spec, mode, rng: 12 })
      expect(Array.from(a.noisy)).toEqual(Array.from(b.noisy))
      expect(Array.from(a.noisy)).not.toEqual(Array.from(c.noisy))
    }
    const low = applyLabelNoise(clean, { numClasses: 10, spec: { kind: "symmetric", rate: 0.2 }, mode: "bernoulli", rng: 5 })
    const high = applyLabelNoise(clean, { numClasses: 10, spec: { kind: "symmetric", rate: 0.4 }, mode: "bernoulli", rng: 5 })
    for (let i = 0; i < clean.length; i++) {
      if (low.isNoisy[i]) {
        expect(high.isNoisy[i]).toBe(1)
        expect(high.noisy[i]).toBe(low.noisy[i])
      }
    }
  })

  it("rate 0 changes nothing, rate 1 changes everything", () => {
    const clean = roundRobinLabels(4, 25)
    expect(applyLabelNoise(clean, { numClasses: 4, spec: { kind: "symmetric", rate: 0 }, rng: 1 }).changed).toBe(0)
    expect(applyLabelNoise(clean, { numClasses: 4, spec: { kind: "symmetric", rate: 1 }, rng: 1 }).changed).toBe(100)
    const none = applyLabelNoise(clean, { numClasses: 4, spec: { kind: "none" }, rng: 1 })
    expect(none.changed).toBe(0)
    expect(none.transition).toEqual([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1]
    ])
  })
})

describe("symmetric-all noise", () => {
  it("relabels exactly round(rate * n) examples over all K classes: about rate * (K - 1) / K change", () => {
    const clean = roundRobinLabels(10, 1000)
    const r = applyLabelNoise(clean, { numClasses: 10, spec: { kind: "symmetric-all", rate: 0.4 }, rng: 2 })
    expect(r.selected).toBe(4000)
    // Each selected label stays with probability 1/10: changed ~ Binomial(4000, 0.9).
    expect(Math.abs(r.changed - 3600)).toBeLessThan(5 * Math.sqrt(4000 * 0.9 * 0.1))
    expect(r.changed).toBeLessThan(4000)
    expect(r.expectedRate).toBeCloseTo(0.36, 12)
    expect(r.nominalRate).toBe(0.4)
    expect(r.expectedTransition[0]![0]).toBeCloseTo(0.64, 12)
    expect(r.expectedTransition[0]![1]).toBeCloseTo(0.04, 12)
    r.transition.forEach((row, c) => expect(Math.abs(row[c]! - 0.64)).toBeLessThan(0.03))
  })
})

describe("exact-count allocation", () => {
  it("rounds per-class quotas by largest remainder to the rounded total", () => {
    // quotas 0.6 and 1.5: total round(2.1) = 2; floors 0, 1; the spare goes to the larger remainder (class 0).
    expect(exactAllocation([2, 5], [0.3, 0.3], [0, 1])).toEqual([1, 1])
    // quotas 2.5 each: total round(7.5) = 8; ties broken by the given class order (2, then 0).
    expect(exactAllocation([10, 10, 10], [0.25, 0.25, 0.25], [2, 0, 1])).toEqual([3, 2, 3])
    // 0.29 * 100 is 28.999999999999996 in floating point: still 29 per class, 290 in all.
    expect(exactAllocation(new Array(10).fill(100), new Array(10).fill(0.29), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual(new Array(10).fill(29))
    // class-dependent probabilities (asymmetric): only source classes are touched.
    expect(exactAllocation([7, 7, 7], [0.5, 0, 0.5], [0, 1, 2])).toEqual([4, 0, 3])
  })

  it("with uneven classes, picks round(rate * n) in total and floor or ceil of each quota", () => {
    const clean = [...new Array(5).fill(0), ...new Array(7).fill(1), ...new Array(11).fill(2)]
    const r = applyLabelNoise(clean, { numClasses: 3, spec: { kind: "symmetric", rate: 0.5 }, rng: 9 })
    expect(r.changed).toBe(12) // round(11.5)
    const per = changedPerClass(clean, r.noisy, 3)
    expect(
      [
        [2, 3],
        [3, 4],
        [5, 6]
      ].every(([lo, hi], c) => per[c] === lo || per[c] === hi)
    ).toBe(true)
  })
})

describe("asymmetric noise", () => {
  const c10 = (name: string) => (CIFAR10_CLASSES as readonly string[]).indexOf(name)
  const c100 = (name: string) => (CIFAR100_CLASSES as readonly string[]).indexOf(name)

  it("CIFAR-10: truck -> automobile, bird -> airplane, deer -> horse, cat <-> dog, others kept", () => {
    const expected = CIFAR10_CLASSES.map((_, c) => c)
    expected[c10("truck")] = c10("automobile")
    expected[c10("bird")] = c10("airplane")
    expected[c10("deer")] = c10("horse")
    expected[c10("cat")] = c10("dog")
    expected[c10("dog")] = c10("cat")
    expect(CIFAR10_ASYMMETRIC_TARGETS).toEqual(expected)

    const clean = roundRobinLabels(10, 100)
    const r = applyLabelNoise(clean, { numClasses: 10, spec: { kind: "asymmetric", rate: 0.4 }, rng: 4 })
    expect(changedPerClass(clean, r.noisy, 10)).toEqual([0, 0, 40, 40, 40, 40, 0, 0, 0, 40])
    for (let i = 0; i < clean.length; i++) if (r.isNoisy[i]) expect(r.noisy[i]).toBe(expected[clean[i]!])
    expect(r.changed).toBe(200)
    expect(r.realisedRate).toBe(0.2)
    expect(r.nominalRate).toBe(0.4)
    expect(r.expectedRate).toBeCloseTo(0.2, 12)
    expect(r.transition[c10("truck")]![c10("automobile")]).toBeCloseTo(0.4, 12)
    expect(r.transition[c10("truck")]![c10("truck")]).toBeCloseTo(0.6, 12)
  })

  it("CIFAR-100: the next fine class of the same superclass, cyclically", () => {
    const t = CIFAR100_ASYMMETRIC_TARGETS
    // aquatic mammals: beaver 4, dolphin 30, otter 55, seal 72, whale 95
    expect([4, 30, 55, 72, 95].map((f) => t[f])).toEqual([30, 55, 72, 95, 4])
    expect(t[c100("apple")]).toBe(c100("mushroom"))
    expect(t[c100("sweet_pepper")]).toBe(c100("apple"))
    expect(t[c100("woman")]).toBe(c100("baby"))
    expect(t[c100("maple_tree")]).toBe(c100("oak_tree"))
    // A permutation made of 20 five-cycles, each inside one superclass.
    expect(new Set(t).size).toBe(100)
    for (let f = 0; f < 100; f++) {
      expect(CIFAR100_FINE_TO_COARSE[t[f]!]).toBe(CIFAR100_FINE_TO_COARSE[f])
      let g = f
      let len = 0
      do {
        g = t[g]!
        len++
      } while (g !== f)
      expect(len).toBe(5)
    }
  })

  it("needs targets for class counts other than 10 and 100", () => {
    expect(() => applyLabelNoise([0, 1, 2], { numClasses: 3, spec: { kind: "asymmetric", rate: 0.2 }, rng: 1 })).toThrow(InvalidOptionError)
    const r = applyLabelNoise([0, 0, 1, 1, 2, 2], { numClasses: 3, spec: { kind: "asymmetric", rate: 1, targets: [1, 1, 0] }, rng: 1 })
    expect(Array.from(r.noisy)).toEqual([1, 1, 1, 1, 0, 0])
  })
})

describe("transition matrices", () => {
  it("validates shape, entries and row sums, naming the row", () => {
    const bad: Array<[number[][], number]> = [
      [
        [
          [1, 0],
          [0, 1]
        ],
        -1
      ],
      [
        [
          [1, 0, 0],
          [0, 1],
          [0, 0, 1]
        ],
        1
      ],
      [
        [
          [1, 0, 0],
          [0, 1, 0],
          [0.5, 0.6, -0.1]
        ],
        2
      ],
      [
        [
          [1, 0, 0],
          [NaN, 1, 0],
          [0, 0, 1]
        ],
        1
      ],
      [
        [
          [0.9, 0, 0],
          [0, 1, 0],
          [0, 0, 1]
        ],
        0
      ]
    ]
    for (const [m, row] of bad) {
      let err: unknown
      try {
        validateTransitionMatrix(m, 3)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(TransitionMatrixError)
      expect(err).toMatchObject({ _tag: "TransitionMatrixError", row })
    }
    expect(() =>
      applyLabelNoise([0, 1], {
        numClasses: 2,
        spec: {
          kind: "transition",
          matrix: [
            [0.5, 0.4],
            [0, 1]
          ]
        },
        rng: 1
      })
    ).toThrow(/row 0: sums to 0.9/)
  })

  it("a permutation matrix relabels deterministically in both modes", () => {
    const clean = roundRobinLabels(3, 10)
    const matrix = [
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0]
    ]
    for (const mode of ["exact", "bernoulli"] as const) {
      const r = applyLabelNoise(clean, { numClasses: 3, spec: { kind: "transition", matrix }, mode, rng: 1 })
      expect(Array.from(r.noisy)).toEqual(clean.map((y) => [2, 0, 1][y]))
      expect(r.transition).toEqual(matrix)
    }
  })

  it("a general matrix: exact per-class counts of changes, empirical rows near the matrix", () => {
    const matrix = [
      [0.6, 0.3, 0.1],
      [0, 1, 0],
      [0.25, 0.25, 0.5]
    ]
    const clean = roundRobinLabels(3, 1000)
    const r = applyLabelNoise(clean, { numClasses: 3, spec: { kind: "transition", matrix }, rng: 8 })
    expect(changedPerClass(clean, r.noisy, 3)).toEqual([400, 0, 500])
    expect(r.nominalRate).toBeCloseTo(0.3, 12)
    expect(r.expectedRate).toBeCloseTo(0.3, 12)
    r.transition.forEach((row, c) => row.forEach((v, j) => expect(Math.abs(v - matrix[c]![j]!)).toBeLessThan(0.05)))
  })

  it("empirical transition: hand-computed, with the identity row for an absent class", () => {
    expect(empiricalTransition([0, 0, 0, 1, 1, 2], [0, 1, 1, 1, 0, 2], 4)).toEqual([
      [1 / 3, 2 / 3, 0, 0],
      [0.5, 0.5, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1]
    ])
  })
})

describe("bad options", () => {
  it("rejects rates outside [0, 1], unknown modes and labels out of range", () => {
    for (const rate of [-0.1, 1.5, NaN]) {
      expect(() => applyLabelNoise([0, 1], { numClasses: 2, spec: { kind: "symmetric", rate }, rng: 1 })).toThrow(InvalidOptionError)
    }
    expect(() => applyLabelNoise([0, 1], { numClasses: 2, spec: { kind: "symmetric", rate: 0.1 }, mode: "sometimes" as never, rng: 1 })).toThrow(/mode/)
    expect(() => applyLabelNoise([0, 2], { numClasses: 2, spec: { kind: "symmetric", rate: 0.1 }, rng: 1 })).toThrow(/labels\[1\]/)
  })
})
