import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { type ForwardOutput, type Params, OptimizerConfigError, disposeParams, expectNoLeak, valueAndGradParams } from "@samlab/core-tensor"
import {
  FeatureShapeError,
  type JacobianPenaltyCallOptions,
  MissingFeaturesError,
  MissingHeadWeightError,
  MissingLabelsError,
  jacobianPenalty
} from "../src/index.js"
import { expectAllClose, values } from "./helpers.js"

/** A fixed output: features rows (1, 2), (0, 0), (3, -1); head [[1, 0.5], [-2, 0]]. */
const fixed = () => {
  const output: ForwardOutput = {
    logits: tf.tensor2d([
      [0, 1],
      [2, 0],
      [0, 0]
    ]),
    features: tf.tensor2d([
      [1, 2],
      [0, 0],
      [3, -1]
    ]),
    activations: { conv: tf.tensor4d([1, 2, 0, 0, 3, -1], [3, 1, 2, 1]) }
  }
  const params: Params = {
    "head/kernel": tf.tensor2d([
      [1, 0.5],
      [-2, 0]
    ]),
    "head/bias": tf.tensor1d([0, 0])
  }
  const dispose = () => {
    tf.dispose([output.logits, output.features!, output.activations!["conv"]!])
    disposeParams(params)
  }
  return { output, params, dispose }
}

const penaltyValue = (options: JacobianPenaltyCallOptions): number => {
  const { output, params, dispose } = fixed()
  try {
    const p = jacobianPenalty(output, params, options)
    const v = p.dataSync()[0]!
    p.dispose()
    return v
  } finally {
    dispose()
  }
}

describe("jacobianPenalty values, by hand", () => {
  it("squared: 0.1 * mean(5, 0, 10) + 0.01 * 5.25", () => {
    expect(penaltyValue({ lambdaFeatures: 0.1, lambdaHead: 0.01 })).toBeCloseTo(0.5 + 0.0525, 6)
  })

  it("unsquared: 0.1 * mean(sqrt 5, 0, sqrt 10) + 0.01 * sqrt 5.25", () => {
    expect(penaltyValue({ lambdaFeatures: 0.1, lambdaHead: 0.01, norm: "unsquared" })).toBeCloseTo(
      (0.1 * (Math.sqrt(5) + Math.sqrt(10))) / 3 + 0.01 * Math.sqrt(5.25),
      6
    )
  })

  it("a named layer of any rank is flattened per example (same rows as the features here)", () => {
    expect(penaltyValue({ lambdaFeatures: 0.1, lambdaHead: 0, featureLayer: "conv" })).toBeCloseTo(0.5, 6)
  })

  it("logit-term weighting: mean_i ||softmax(z_i) - onehot(y_i)|| ||phi_i||^2", () => {
    const labels = tf.tensor1d([1, 1, 0], "int32")
    const norms = [
      [0, 1, 1],
      [2, 0, 1],
      [0, 0, 0]
    ].map(([a, b, y]) => {
      const pa = Math.exp(a!) / (Math.exp(a!) + Math.exp(b!))
      const u = [pa - (y === 0 ? 1 : 0), 1 - pa - (y === 1 ? 1 : 0)]
      return Math.hypot(u[0]!, u[1]!)
    })
    const expected = (0.1 * (norms[0]! * 5 + norms[1]! * 0 + norms[2]! * 10)) / 3
    expect(penaltyValue({ lambdaFeatures: 0.1, lambdaHead: 0, featureWeighting: "logit-term", labels })).toBeCloseTo(expected, 6)
    labels.dispose()
  })

  it("lambdas of 0 give 0 and need neither features nor a head weight", async () => {
    await expectNoLeak("zero lambdas", () => {
      const logits = tf.tensor2d([[1, 2]])
      const p = jacobianPenalty({ logits }, {}, { lambdaFeatures: 0, lambdaHead: 0 })
      expect(p.dataSync()[0]).toBe(0)
      tf.dispose([p, logits])
    })
  })
})

describe("jacobianPenalty typed errors", () => {
  const expectThrow = (
    options: JacobianPenaltyCallOptions,
    errorClass: new (...a: any[]) => Error,
    message: RegExp,
    strip?: (o: ForwardOutput) => ForwardOutput
  ) => {
    const { output, params, dispose } = fixed()
    try {
      expect(() => jacobianPenalty(strip ? strip(output) : output, params, options)).toThrow(errorClass)
      expect(() => jacobianPenalty(strip ? strip(output) : output, params, options)).toThrow(message)
    } finally {
      dispose()
    }
  }

  it("negative, NaN or infinite lambdas", () => {
    expectThrow({ lambdaFeatures: -0.1, lambdaHead: 0 }, OptimizerConfigError, /lambdaFeatures must be a finite number >= 0, got -0.1/)
    expectThrow({ lambdaFeatures: 0, lambdaHead: -1 }, OptimizerConfigError, /lambdaHead .* got -1/)
    expectThrow({ lambdaFeatures: Number.NaN, lambdaHead: 0 }, OptimizerConfigError, /lambdaFeatures .* got NaN/)
    expectThrow({ lambdaFeatures: 0, lambdaHead: Number.POSITIVE_INFINITY }, OptimizerConfigError, /lambdaHead .* got Infinity/)
  })

  it("unknown norm or weighting", () => {
    expectThrow({ lambdaFeatures: 1, lambdaHead: 0, norm: "l1" as never }, OptimizerConfigError, /norm must be one of "squared", "unsquared", got "l1"/)
    expectThrow({ lambdaFeatures: 1, lambdaHead: 0, featureWeighting: "loss" as never }, OptimizerConfigError, /featureWeighting/)
  })

  it("missing penultimate features, or an unknown named layer (listing the ones there are)", () => {
    expectThrow({ lambdaFeatures: 1, lambdaHead: 0 }, MissingFeaturesError, /no "features"/, (o) => ({ logits: o.logits, activations: o.activations! }))
    expectThrow({ lambdaFeatures: 1, lambdaHead: 0, featureLayer: "dense_3" }, MissingFeaturesError, /no activation named "dense_3" .*\[conv\]/)
  })

  it("features whose batch differs from the logits'", () => {
    expectThrow({ lambdaFeatures: 1, lambdaHead: 0 }, FeatureShapeError, /shape \[2, 2\], expected \[3, \.\.\.\]/, (o) => ({
      logits: o.logits,
      features: tf.slice(o.features!, [0, 0], [2, 2])
    }))
  })

  it("missing head weight, naming the params", () => {
    expectThrow(
      { lambdaFeatures: 0, lambdaHead: 1, headWeight: "fc/weight" },
      MissingHeadWeightError,
      /no parameter "fc\/weight" .*\[head\/kernel, head\/bias\]/
    )
  })

  it("logit-term weighting without labels", () => {
    expectThrow({ lambdaFeatures: 1, lambdaHead: 0, featureWeighting: "logit-term" }, MissingLabelsError, /needs the batch labels/)
  })
})

/**
 * Gradients through a small network: features = x W (linear, so the exact gradients are
 * plain float64 arithmetic below), logits = features H. X has an all-zero row (a zero
 * feature vector, where the unsquared norm has no derivative: the subgradient 0 is used).
 */
describe("jacobianPenalty gradients against float64 formulas", () => {
  const X = [
    [1, -0.5, 2],
    [0, 0, 0],
    [0.3, 1.2, -0.7],
    [-1.1, 0.4, 0.9]
  ]
  const W = [
    [0.2, -0.4],
    [0.7, 0.1],
    [-0.3, 0.5]
  ]
  const H = [
    [0.6, -0.2, 1.5],
    [-0.9, 0.3, 0.4]
  ]
  const labels = [2, 0, 1, 1]
  const lf = 0.3
  const lh = 0.05
  const B = X.length
  const phi = X.map((x) => [0, 1].map((j) => x.reduce((s, xi, i) => s + xi * W[i]![j]!, 0)))
  const logits = phi.map((f) => [0, 1, 2].map((k) => f[0]! * H[0]![k]! + f[1]! * H[1]![k]!))
  const uNorm = logits.map((z, i) => {
    const m = Math.max(...z)
    const e = z.map((v) => Math.exp(v - m))
    const s = e.reduce((a, b) => a + b, 0)
    return Math.hypot(...e.map((v, k) => v / s - (k === labels[i] ? 1 : 0)))
  })
  /** d/dW of lf * mean_i c_i * n(phi_i), with dn/dphi given per example. */
  const gradW = (c: (i: number) => number, dn: (f: number[]) => number[]): number[] =>
    W.flatMap((row, a) => row.map((_, j) => X.reduce((s, x, i) => s + (lf / B) * c(i) * x[a]! * dn(phi[i]!)[j]!, 0)))
  const squaredDn = (f: number[]) => f.map((v) => 2 * v)
  const unsquaredDn = (f: number[]) => {
    const n = Math.hypot(...f)
    return f.map((v) => (n === 0 ? 0 : v / n))
  }
  const hNorm = Math.hypot(...H.flat())

  const grads = (options: Omit<JacobianPenaltyCallOptions, "labels">): { W: number[]; H: number[] } => {
    const x = tf.tensor2d(X)
    const y = tf.tensor1d(labels, "int32")
    const params: Params = { w: tf.tensor2d(W), "head/kernel": tf.tensor2d(H) }
    const { value, grads: g } = valueAndGradParams((p) => {
      const features = tf.matMul(x, p["w"] as tf.Tensor2D) as tf.Tensor2D
      const out: ForwardOutput = { logits: tf.matMul(features, p["head/kernel"] as tf.Tensor2D), features }
      return jacobianPenalty(out, p, { ...options, labels: y })
    }, params)
    const result = { W: values(g["w"]!), H: values(g["head/kernel"]!) }
    tf.dispose([x, y, value])
    disposeParams(params, g)
    return result
  }

  it("squared, uniform: (2 lf / B) X^T (X W) and 2 lh H", async () => {
    const g = await expectNoLeak("grads", () => grads({ lambdaFeatures: lf, lambdaHead: lh }))
    expectAllClose(
      "dW",
      g.W,
      gradW(() => 1, squaredDn),
      1e-6
    )
    expectAllClose(
      "dH",
      g.H,
      H.flat().map((h) => 2 * lh * h),
      1e-6
    )
  })

  it("unsquared: (lf / B) X^T (phi / ||phi||), 0 for the zero row (no NaN), and lh H / ||H||", async () => {
    const g = await expectNoLeak("grads", () => grads({ lambdaFeatures: lf, lambdaHead: lh, norm: "unsquared" }))
    expect(g.W.every(Number.isFinite)).toBe(true)
    expectAllClose(
      "dW",
      g.W,
      gradW(() => 1, unsquaredDn),
      1e-6
    )
    expectAllClose(
      "dH",
      g.H,
      H.flat().map((h) => (lh * h) / hNorm),
      1e-6
    )
  })

  it("logit-term weighting: the weights ||u_i|| are constants (no gradient reaches the head through them)", async () => {
    const g = await expectNoLeak("grads", () => grads({ lambdaFeatures: lf, lambdaHead: 0, featureWeighting: "logit-term" }))
    expectAllClose(
      "dW",
      g.W,
      gradW((i) => uNorm[i]!, squaredDn),
      1e-6
    )
    // The features do not depend on H and the weights are frozen, so H gets nothing.
    expectAllClose(
      "dH",
      g.H,
      H.flat().map(() => 0),
      0
    )
  })

  it("logit-term weighting stays finite where softmax saturates (u = 0 exactly in float32)", async () => {
    await expectNoLeak("saturated", () => {
      const direction = tf.tensor2d([[200, -200]])
      const y = tf.tensor1d([0], "int32")
      const params: Params = { a: tf.scalar(1) }
      // logits (200, -200) with label 0: softmax is exactly (1, 0), so u = 0 and ||u|| has no derivative.
      const { value, grads: g } = valueAndGradParams((p) => {
        const logits = tf.mul(direction, p["a"]!) as tf.Tensor2D
        return jacobianPenalty({ logits, features: logits }, p, { lambdaFeatures: 1, lambdaHead: 0, featureWeighting: "logit-term", labels: y })
      }, params)
      expect(value.dataSync()[0]).toBe(0)
      expect(values(g["a"]!)).toEqual([0])
      tf.dispose([direction, y, value])
      disposeParams(params, g)
    })
  })
})
