import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import {
  OptimizerConfigError,
  type GradientTransformation,
  type Params,
  adam,
  adamw,
  addDecayedWeights,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  disposeParams,
  expectNoLeak,
  scale,
  sgd,
  updateAndApply
} from "../../src/index.js"

/** Runs `t` on a one-parameter set with the given gradient sequence; returns w after each update. */
const trajectory = <S>(t: GradientTransformation<S>, w0: number[], grads: number[][]): number[][] => {
  let params: Params = { w: tf.tensor1d(w0) }
  let state = t.init(params)
  const out: number[][] = []
  for (const g of grads) {
    const gp = { w: tf.tensor1d(g) }
    const { updates, state: next } = t.update(gp, state, params)
    const nextParams = applyUpdates(params, updates)
    disposeParams(gp, updates, params)
    t.disposeState(state)
    params = nextParams
    state = next
    out.push(Array.from(params["w"]!.dataSync()))
  }
  disposeParams(params)
  t.disposeState(state)
  return out
}

describe("sgd (PyTorch semantics)", () => {
  it("momentum and weight decay, by hand", () => {
    // d1 = 0.5 + 0.1*1 = 0.6, buf = 0.6, w = 1 - 0.06 = 0.94
    // d2 = 0.5 + 0.1*0.94 = 0.594, buf = 0.9*0.6 + 0.594 = 1.134, w = 0.94 - 0.1134 = 0.8266
    const w = trajectory(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.1 }), [1], [[0.5], [0.5]])
    expect(w[0]![0]).toBeCloseTo(0.94, 6)
    expect(w[1]![0]).toBeCloseTo(0.8266, 6)
  })

  it("nesterov, by hand", () => {
    // d1 = 1, buf = 1, step = d + 0.5*buf = 1.5, w = 0 - 0.15
    // d2 = 2, buf = 0.5 + 2 = 2.5, step = 2 + 1.25 = 3.25, w = -0.15 - 0.325 = -0.475
    const w = trajectory(sgd({ lr: 0.1, momentum: 0.5, nesterov: true }), [0], [[1], [2]])
    expect(w[0]![0]).toBeCloseTo(-0.15, 6)
    expect(w[1]![0]).toBeCloseTo(-0.475, 6)
  })

  it("plain sgd with a schedule uses the rate of each update's index", () => {
    const w = trajectory(
      sgd({ lr: (step) => [0.1, 0.01][step]! }),
      [1, 2],
      [
        [1, -1],
        [1, -1]
      ]
    )
    expect(w[0]).toEqual([expect.closeTo(0.9, 6), expect.closeTo(2.1, 6)])
    expect(w[1]).toEqual([expect.closeTo(0.89, 6), expect.closeTo(2.11, 6)])
  })

  it("rejects bad settings with a typed error naming the field", () => {
    expect(() => sgd({ lr: -1 })).toThrow(OptimizerConfigError)
    expect(() => sgd({ lr: 0.1, momentum: 1 })).toThrow(/sgd: momentum must be in \[0, 1\)/)
    expect(() => sgd({ lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum > 0/)
    expect(() => trajectory(sgd({ lr: () => Number.NaN }), [0], [[1]])).toThrow(/schedule gave NaN at update 0/)
  })
})

describe("adam and adamw (PyTorch semantics)", () => {
  it("first Adam step moves every weight by about lr * sign(g)", () => {
    const w = trajectory(adam({ lr: 0.1 }), [1, 1, 1], [[0.5, -2, 1e-3]])
    // m_hat = g, v_hat = g^2: step = lr * g / (|g| + eps)
    expect(w[0]![0]).toBeCloseTo(1 - 0.1 * (0.5 / (0.5 + 1e-8)), 6)
    expect(w[0]![1]).toBeCloseTo(1.1, 6)
    expect(w[0]![2]).toBeCloseTo(1 - 0.1 * (1e-3 / (1e-3 + 1e-8)), 6)
  })

  it("second Adam step, by hand in float64", () => {
    const [b1, b2, lr, eps] = [0.9, 0.999, 0.01, 1e-8]
    const g1 = 0.3
    const g2 = -0.7
    const m = (1 - b1) * g1 * b1 + (1 - b1) * g2
    const v = (1 - b2) * g1 * g1 * b2 + (1 - b2) * g2 * g2
    const w1 = 2 - lr * Math.sign(g1) * (g1 / (g1 + eps))
    const w2 = w1 - (lr / (1 - b1 * b1)) * (m / (Math.sqrt(v) / Math.sqrt(1 - b2 * b2) + eps))
    const w = trajectory(adam({ lr }), [2], [[g1], [g2]])
    expect(w[1]![0]).toBeCloseTo(w2, 6)
  })

  it("Adam adds L2 to the gradient, AdamW decays the weights apart from it", () => {
    // Adam with wd: g' = 0.5 + 0.1*1 = 0.6, first step lr*sign -> 0.9
    expect(trajectory(adam({ lr: 0.1, weightDecay: 0.1 }), [1], [[0.5]])[0]![0]).toBeCloseTo(0.9, 6)
    // AdamW: w = 1 - lr*wd*1 - lr*sign(g) = 1 - 0.01 - 0.1
    expect(trajectory(adamw({ lr: 0.1, weightDecay: 0.1 }), [1], [[0.5]])[0]![0]).toBeCloseTo(0.89, 6)
    // AdamW's default decay is 0.01
    expect(trajectory(adamw({ lr: 0.1 }), [1], [[0.5]])[0]![0]).toBeCloseTo(1 - 0.001 - 0.1, 6)
    expect(() => adam({ lr: 0.1, beta2: 1 })).toThrow(/scaleByAdam: beta2 must be in \[0, 1\)/)
  })
})

describe("chain and stateless transforms", () => {
  it("addDecayedWeights then momentum sgd is sgd with weight decay", () => {
    const grads = [
      [0.5, -1],
      [0.25, 2],
      [-1, 0]
    ]
    const a = trajectory(chain(addDecayedWeights(0.1), sgd({ lr: 0.1, momentum: 0.9 })), [1, -1], grads)
    const b = trajectory(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.1 }), [1, -1], grads)
    a.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(b[i]![j]!, 6)))
  })

  it("clipByGlobalNorm rescales only above the threshold", () => {
    // g = [3, 4], norm 5, max 1 -> [0.6, 0.8]; lr 1 plain sgd so w = -g_clipped
    expect(trajectory(chain(clipByGlobalNorm(1), sgd({ lr: 1 })), [0, 0], [[3, 4]])[0]).toEqual([expect.closeTo(-0.6, 6), expect.closeTo(-0.8, 6)])
    expect(trajectory(chain(clipByGlobalNorm(10), sgd({ lr: 1 })), [0, 0], [[3, 4]])[0]).toEqual([expect.closeTo(-3, 6), expect.closeTo(-4, 6)])
  })

  it("leaks nothing over many updates", async () => {
    await expectNoLeak("optimizers", () => {
      for (const t of [
        sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-3, nesterov: true }),
        adam({ lr: 0.1 }),
        adamw({ lr: 0.1 }),
        chain(clipByGlobalNorm(1), sgd({ lr: 0.1, momentum: 0.5 }))
      ]) {
        trajectory(
          t as GradientTransformation<unknown>,
          [1, 2, 3],
          Array.from({ length: 5 }, (_, i) => [i, -i, 0.5])
        )
      }
    })
  })
})

describe("updateAndApply", () => {
  const params = (): Params => ({ w: tf.tensor1d([1, 2]) })
  const grads = (): Params => ({ w: tf.tensor1d([10, 20]) })

  it("takes update then applyUpdates without a fusedApply, or where it answers undefined", () => {
    for (const t of [scale(0.5), { ...scale(0.5), fusedApply: () => undefined }]) {
      const [p, g] = [params(), grads()]
      const r = updateAndApply(t, g, undefined, p)
      expect(Array.from(r.params["w"]!.dataSync())).toEqual([6, 12])
      // the inputs are left to the caller
      expect(p["w"]!.isDisposed || g["w"]!.isDisposed).toBe(false)
      disposeParams(p, g, r.params)
    }
  })

  it("returns the fusedApply's params and state where it gives them", () => {
    const [p, g] = [params(), grads()]
    const fused: GradientTransformation<number> = {
      name: "fused",
      init: () => 0,
      update: () => {
        throw new Error("update must not run")
      },
      disposeState: () => {},
      fusedApply: (gs, state, ps) => ({ params: { w: tf.sub(ps["w"]!, gs["w"]!) }, state: state + 1 })
    }
    const r = updateAndApply(fused, g, 4, p)
    expect(Array.from(r.params["w"]!.dataSync())).toEqual([-9, -18])
    expect(r.state).toBe(5)
    disposeParams(p, g, r.params)
  })

  it("leaves sgd's numbers as the chain's on a backend without its kernel", () => {
    const opt = sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.1 })
    const [p, g] = [{ w: tf.tensor1d([1]) }, { w: tf.tensor1d([0.5]) }]
    const state = opt.init(p)
    const r = updateAndApply(opt, g, state, p)
    // d = 0.5 + 0.1 = 0.6, buf = 0.6, w = 1 - 0.06 (as "momentum and weight decay, by hand")
    expect(r.params["w"]!.dataSync()[0]).toBeCloseTo(0.94, 6)
    disposeParams(p, g, r.params)
    opt.disposeState(state)
    opt.disposeState(r.state)
  })
})
