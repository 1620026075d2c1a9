import { describe, expect, it } from "vitest"
import { OptimizerConfigError, constantSchedule, cosineSchedule, stepSchedule } from "../../src/index.js"

describe("learning-rate schedules", () => {
  it("constant", () => {
    expect(constantSchedule(0.1)(0)).toBe(0.1)
    expect(constantSchedule(0.1)(1000)).toBe(0.1)
  })

  it("step decay by step size and by milestones", () => {
    const s = stepSchedule({ initial: 1, gamma: 0.1, stepSize: 10 })
    expect([s(0), s(9), s(10), s(25)]).toEqual([1, 1, expect.closeTo(0.1, 12), expect.closeTo(0.01, 12)])
    const m = stepSchedule({ initial: 1, gamma: 0.5, milestones: [30, 10] })
    expect([m(9), m(10), m(29), m(30)]).toEqual([1, 0.5, 0.5, 0.25])
    expect(() => stepSchedule({ initial: 1, gamma: 0.5 })).toThrow(OptimizerConfigError)
  })

  it("cosine with warm-up", () => {
    const c = cosineSchedule({ initial: 1, totalSteps: 12, warmupSteps: 2, final: 0 })
    expect(c(0)).toBeCloseTo(0.5, 12)
    expect(c(1)).toBeCloseTo(1, 12)
    expect(c(2)).toBeCloseTo(1, 12)
    expect(c(7)).toBeCloseTo(0.5, 12) // half-way through the 10 decay steps
    expect(c(12)).toBeCloseTo(0, 12)
    expect(c(100)).toBeCloseTo(0, 12)
    expect(() => cosineSchedule({ initial: 1, totalSteps: 0 })).toThrow(/totalSteps must be a positive integer/)
  })
})
