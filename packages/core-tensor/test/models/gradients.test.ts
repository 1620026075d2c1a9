import * as tf from "@tensorflow/tfjs-core"
import { describe, expect, it } from "vitest"
import { type Model, type Params, Rng, disposeParams, layers, mlp, resnet18, smallCnn } from "../../src/index.js"

interface Case {
  readonly model: Model
  readonly params: Params
  readonly state: Params
  readonly x: tf.Tensor
  readonly y: tf.Tensor1D
  readonly names: readonly string[]
  /** Summed softmax cross-entropy, written with plain tfjs ops. */
  readonly loss: (p: Params) => tf.Scalar
  readonly grads: readonly tf.Tensor[]
  readonly dispose: () => void
}

const setup = (model: Model, seed: number, batch: number, training: boolean): Case => {
  const rng = new Rng(seed)
  const params = model.init(rng.fork("init"))
  const state = model.initState()
  const x = tf.tensor(rng.fork("x").normalArray(batch * model.inputShape.reduce((a, b) => a * b, 1)), [batch, ...model.inputShape])
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % model.numClasses),
    "int32"
  )
  const names = Object.keys(params)
  const loss = (p: Params): tf.Scalar =>
    tf.tidy(() => tf.neg(tf.sum<tf.Scalar>(tf.mul(tf.oneHot(y, model.numClasses), tf.logSoftmax(model.apply(p, x, { training, state }).logits)))))
  const grads = tf.grads((...ts: tf.Tensor[]) => loss(Object.fromEntries(names.map((k, i) => [k, ts[i]!]))))(names.map((k) => params[k]!))
  return { model, params, state, x, y, names, loss, grads, dispose: () => (tf.dispose([...grads, x, y]), disposeParams(params, state)) }
}

const zeroGradients = (c: Case): string[] => c.names.filter((_, i) => !c.grads[i]!.dataSync().some((v) => v !== 0))

/** Central finite differences on `perTensor` entries of every parameter (seeded choice) against tf.grads. */
const entryMismatches = (c: Case, perTensor: number, eps: number, seed: number): string[] => {
  const pick = new Rng(seed)
  const lossAt = (name: string, index: number, delta: number): number => {
    const values = Float32Array.from(c.params[name]!.dataSync() as Float32Array)
    values[index]! += delta
    const moved = tf.tensor(values, c.params[name]!.shape)
    const v = c.loss({ ...c.params, [name]: moved })
    const out = v.dataSync()[0]!
    tf.dispose([moved, v])
    return out
  }
  const failures: string[] = []
  c.names.forEach((name, i) => {
    const g = c.grads[i]!.dataSync()
    for (let j = 0; j < perTensor; j++) {
      const index = pick.int(g.length)
      const fd = (lossAt(name, index, eps) - lossAt(name, index, -eps)) / (2 * eps)
      if (!(Math.abs(fd - g[index]!) <= 2e-3 + 2e-2 * Math.abs(fd))) failures.push(`${name}[${index}]: finite difference ${fd}, gradient ${g[index]}`)
    }
  })
  return failures
}

/** (L(w + eps d) - L(w - eps d)) / 2 eps along d = g / |g|, which should equal |g|. */
const alongGradient = (c: Case, eps: number): { fd: number; norm: number } =>
  tf.tidy(() => {
    const norm = Math.sqrt(c.grads.reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0]!, 0))
    const at = (e: number) => c.loss(Object.fromEntries(c.names.map((n, i) => [n, tf.add(c.params[n]!, tf.mul(c.grads[i]!, e / norm))]))).dataSync()[0]!
    return { fd: (at(eps) - at(-eps)) / (2 * eps), norm }
  })

describe("gradients reach every parameter and agree with finite differences", () => {
  it("tiny MLP (ReLU and tanh)", () => {
    for (const [model, seed] of [
      [mlp({ inputDim: 6, hidden: [8, 8], numClasses: 3 }), 1],
      [mlp({ inputDim: 6, hidden: [8], numClasses: 3, activation: "tanh" }), 2]
    ] as const) {
      const c = setup(model, seed, 6, true)
      expect(zeroGradients(c)).toEqual([])
      expect(entryMismatches(c, 3, 1e-3, seed)).toEqual([])
      c.dispose()
    }
  })

  it("tiny CNN (3x3 convs, max-pool, dense)", () => {
    const c = setup(smallCnn({ numClasses: 3, channels: [3, 4], dense: 5, inputShape: [8, 8, 2] }), 3, 3, true)
    expect(zeroGradients(c)).toEqual([])
    expect(entryMismatches(c, 2, 1e-3, 3)).toEqual([])
    c.dispose()
  })

  it("batch norm in training mode, entry by entry, through the batch statistics (x, gamma and beta)", () => {
    // A smooth composition (tanh, a fixed random readout) so single entries can be checked.
    const rng = new Rng(6)
    const x = tf.tensor4d(rng.normalArray(2 * 2 * 3 * 3), [2, 2, 3, 3])
    const w = tf.tensor4d(rng.normalArray(2 * 2 * 3 * 3), [2, 2, 3, 3])
    const gamma = tf.tensor1d([1.2, 0.7, 0.9])
    const beta = tf.tensor1d([0.1, -0.2, 0.3])
    const state = { "bn/moving_mean": tf.zeros([3]), "bn/moving_var": tf.ones([3]) }
    const f = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar =>
      tf.tidy(() => tf.sum(tf.mul(w, tf.tanh(layers.batchNorm({ "bn/gamma": g, "bn/beta": b }, state, "bn", xx as tf.Tensor4D, true, {})))))
    const inputs = [x, gamma, beta]
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => f(a, g, b))(inputs)
    const eps = 1e-3
    inputs.forEach((t, k) => {
      const analytic = grads[k]!.dataSync()
      for (let i = 0; i < t.size; i++) {
        const moved = (d: number) => {
          const v = Float32Array.from(t.dataSync() as Float32Array)
          v[i]! += d
          const mt = tf.tensor(v, t.shape)
          const args = inputs.map((u, j) => (j === k ? mt : u))
          const out = f(args[0]!, args[1]!, args[2]!)
          const value = out.dataSync()[0]!
          tf.dispose([mt, out])
          return value
        }
        const fd = (moved(eps) - moved(-eps)) / (2 * eps)
        expect(Math.abs(fd - analytic[i]!)).toBeLessThan(1e-3 + 1e-2 * Math.abs(fd))
      }
    })
    // The x gradient sums to zero per channel: the batch mean is subtracted.
    const gx = tf.tidy(() => tf.sum(grads[0]!, [0, 1, 2]).dataSync())
    for (const v of gx) expect(Math.abs(v)).toBeLessThan(1e-5)
    tf.dispose([...grads, x, w, gamma, beta])
    disposeParams(state)
  })

  it("tiny resnet18: every parameter gets a gradient; the derivative along g / |g| is |g| (evaluation and training)", () => {
    // ReLUs after batch norm sit close to their kinks and a training-mode loss at init with a
    // batch of 4 is very curved, so single entries would need eps below float32's noise; the
    // derivative along the gradient is large enough to check at eps = 1e-4. The batch-norm
    // layer's own gradients are checked entry by entry above.
    for (const training of [false, true]) {
      const c = setup(resnet18({ numClasses: 3, width: 2, inputShape: [16, 16, 3] }), 4, 4, training)
      expect(zeroGradients(c)).toEqual([])
      const { fd, norm } = alongGradient(c, 1e-4)
      expect(Math.abs(fd - norm) / norm).toBeLessThan(0.03)
      c.dispose()
    }
  })
})
