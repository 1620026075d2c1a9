import * as tf from "@tensorflow/tfjs-core"
import { type Params, Rng, applyUpdates, referenceMlp, sgd, stepSchedule, updateAndApply } from "@samlab/core-tensor"
import { beforeAll, describe, expect, it } from "vitest"
import { requireAddon } from "../src/addon.js"
import { evaluateOn, expectClose, nativeAvailable, nativeCalls, randomTensor, registerNative } from "./support.js"

const kernel = "SamlabSgdStep"
const exact = { rtol: 0, atol: 0 }

type Settings = Parameters<typeof sgd>[0]
const settings: readonly Settings[] = [
  { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
  { lr: stepSchedule({ initial: 0.1, gamma: 0.5, stepSize: 1 }), momentum: 0.9, nesterov: true },
  { lr: 0.3, weightDecay: 1e-2 },
  { lr: 0.01 }
]

/** Random gradients for `params`, with NaN, infinities and signed zeros every fifth element when `special`. */
const gradientsFor = (params: Params, seed: number, special: boolean): Params =>
  Object.fromEntries(
    Object.entries(params).map(([name, w], i) => {
      const v = randomTensor(seed + i, w.shape).dataSync() as Float32Array
      const specials = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-45, 3e38]
      if (special) for (let j = 0; j < v.length; j += 5) v[j] = specials[(j / 5) % specials.length]!
      return [name, tf.tensor(v, w.shape)]
    })
  )

/**
 * Three steps of `sgd(s)` on a small MLP, each taken by `take` (fused where the backend can, or
 * always as the chain's update then apply); the params and momentum buffers after each step.
 */
const run =
  (s: Settings, take: (step: number) => "fused" | "chain", special = false) =>
  () => {
    const opt = sgd(s)
    let params = referenceMlp(10).init(new Rng(3))
    let state = opt.init(params)
    const out: tf.Tensor[] = []
    for (let step = 0; step < 3; step++) {
      const grads = gradientsFor(params, 10 * step, special)
      if (take(step) === "fused") ({ params, state } = updateAndApply(opt, grads, state, params))
      else {
        const r = opt.update(grads, state, params)
        params = applyUpdates(params, r.updates)
        state = r.state
      }
      out.push(...Object.values(params), ...state.flatMap((part) => Object.values((part as { trace?: Params } | undefined)?.trace ?? {})))
    }
    return out
  }

describe.skipIf(!nativeAvailable)("SamlabSgdStep (core-tensor's sgd chain and apply in one pass)", () => {
  beforeAll(async () => {
    await registerNative()
  })

  it("gives the chain's params and momentum bit for bit, for each setting, specials included", async () => {
    for (const [i, s] of settings.entries()) {
      for (const special of [false, true]) {
        // on cpu the transformation has no kernel: updateAndApply takes the chain
        const expected = await evaluateOn(
          "cpu",
          run(s, () => "fused", special)
        )
        const calls = await nativeCalls(kernel, async () => {
          const actual = await evaluateOn(
            "native",
            run(s, () => "fused", special)
          )
          expect(actual.length).toBe(expected.length)
          actual.forEach((a, j) => expectClose(a, expected[j]!, `setting ${i}${special ? " (specials)" : ""}, tensor ${j}`, exact))
        })
        // one call per parameter (6) per step
        expect(calls, `setting ${i}`).toEqual({ native: 6 * 3, fallback: 0 })
      }
    }
  })

  it("shares the chain's state: fused and unfused steps can take turns", async () => {
    const s = settings[1]!
    const expected = await evaluateOn(
      "native",
      run(s, () => "chain")
    )
    const mixed = await evaluateOn(
      "native",
      run(s, (step) => (step === 1 ? "chain" : "fused"))
    )
    mixed.forEach((a, j) => expectClose(a, expected[j]!, `tensor ${j}`, exact))
  })

  it("runs no other kernel for the optimizer", async () => {
    await tf.setBackend("native")
    const opt = sgd(settings[0]!)
    const params = referenceMlp(10).init(new Rng(1))
    const grads = gradientsFor(params, 5, false)
    const state = opt.init(params)
    const profile = await tf.profile(() => {
      const r = updateAndApply(opt, grads, state, params)
      opt.disposeState(r.state)
      tf.dispose(Object.values(r.params))
    })
    expect(new Set(profile.kernels.map((k) => k.name))).toEqual(new Set([kernel]))
    opt.disposeState(state)
    tf.dispose([...Object.values(params), ...Object.values(grads)])
  })

  it("throws a NativeKernelError naming the bad input or attribute (it has no cpu twin)", async () => {
    const { NativeKernelError } = await registerNative()
    await tf.setBackend("native")
    tf.tidy(() => {
      const w = tf.ones([3])
      const call = (inputs: tf.NamedTensorMap, attrs: Record<string, unknown>) => () =>
        tf.engine().runKernel(kernel, inputs, { lr: 0.1, weightDecay: 0, momentum: 0.9, nesterov: false, ...attrs } as tf.NamedAttrMap)
      const cases: [() => unknown, RegExp][] = [
        [call({ w, g: tf.ones([4]), t: w }, {}), /"g" has shape \[4\]/],
        [call({ w, g: w }, {}), /input "t".*momentum > 0/],
        [call({ w, g: w, t: w }, { momentum: 0 }), /input "t".*momentum > 0/],
        [call({ w, g: w, t: tf.ones([2]) }, {}), /"t" has shape \[2\]/],
        [call({ w, g: tf.ones([3], "int32"), t: w }, {}), /"g" must be float32/],
        [call({ w, g: w, t: w }, { lr: Number.NaN }), /"lr" must be a finite number/],
        [call({ w, g: w, t: w }, { weightDecay: -1 }), /"weightDecay" must be a finite number >= 0/],
        [call({ w, g: w, t: w }, { momentum: 1 }), /"momentum" must be in \[0, 1\)/],
        [call({ w, g: w, t: w }, { nesterov: 1 }), /attribute "nesterov" must be a boolean/],
        [call({ w, g: w }, { momentum: 0, nesterov: true }), /nesterov needs momentum > 0/]
      ]
      for (const [f, message] of cases) {
        expect(f).toThrow(NativeKernelError)
        expect(f).toThrow(message)
      }
    })
  })

  // w 1, g 2, t 3, weight decay 0.5, momentum 0.5, lr 0.25: d = 2 + 0.5 = 2.5, t' = 2.5 + 1.5 = 4,
  // w' = 1 - 0.25 * 4 = 0; nesterov's update d + 0.5 t' = 4.5 gives w' = -0.125 (all exact in float)
  it("takes the hand-derived step on one element, and the addon names a bad argument", () => {
    const addon = requireAddon()
    const one = (v: number) => Float32Array.of(v)
    const [w, t] = [one(0), one(0)]
    addon.sgdStep(one(1), one(2), one(3), w, t, -0.25, 0.5, 0.5, false)
    expect([w[0], t[0]]).toEqual([0, 4])
    addon.sgdStep(one(1), one(2), one(3), w, t, -0.25, 0.5, 0.5, true)
    expect([w[0], t[0]]).toEqual([-0.125, 4])
    // no momentum, no decay: w - lr g
    addon.sgdStep(one(1), one(2), null, w, null, -0.25, 0, 0, false)
    expect(w[0]).toBe(0.5)
    expect(() => addon.sgdStep(one(1), one(2), one(3), w, null, -0.25, 0, 0.5, false)).toThrow(
      "sgdStep: t and tOut must both be given (momentum) or both be null"
    )
    expect(() => addon.sgdStep(one(1), one(2), null, w, null, -0.25, 0, 0.5, false)).toThrow("sgdStep: t must be given exactly when momentum > 0")
    expect(() => addon.sgdStep(one(1), new Float32Array(0), null, w, null, -0.25, 0, 0, false)).toThrow("sgdStep: g has 0 elements, 1 needed")
    expect(() => addon.sgdStep(one(1), one(2), null, w, null, -0.25, -1, 0, false)).toThrow("sgdStep: weightDecay must be >= 0")
  })
})
