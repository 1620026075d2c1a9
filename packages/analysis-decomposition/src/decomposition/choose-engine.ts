import type { Model, Params } from "@samlab/core-tensor"
import * as tf from "@tensorflow/tfjs-core"
import { AnalysisInputError, UnsupportedModelError } from "../errors.js"
import type { PerExampleEngine } from "./engine.js"
import { layeredEngine } from "./layered-engine.js"
import { loopEngine } from "./loop-engine.js"
import { viewOfModel } from "./view/detect.js"
import { viewForward } from "./view/forward.js"
import type { SequentialView } from "./view/types.js"

/** Largest |view logits - model logits| on the first few examples, relative to the logits' scale. */
const viewMismatch = (view: SequentialView, model: Model, params: Params, state: Params, x: tf.Tensor): number =>
  tf.tidy(() => {
    const probe = tf.slice(x, 0, Math.min(4, x.shape[0]!))
    const a = viewForward(view, params, probe).logits
    const b = model.apply(params, probe, { training: false, state }).logits
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!
    const scale = tf.max(tf.abs(b)).dataSync()[0]!
    return diff / (1 + scale)
  })

/**
 * The engine `decompose` uses. "auto" takes the layered engine when the model has a sequential
 * view that reproduces its logits on the first examples (to 1e-5 relative), else the loop.
 */
export const chooseEngine = (
  model: Model,
  params: Params,
  state: Params,
  x: tf.Tensor,
  choice: "auto" | "layered" | "loop",
  layers: readonly string[] | undefined
): PerExampleEngine => {
  const pick = (): PerExampleEngine => {
    if (choice === "loop") return loopEngine(model, params, state)
    let view: SequentialView | undefined
    try {
      view = viewOfModel(model, params)
    } catch (e) {
      if (choice === "layered" || !(e instanceof UnsupportedModelError)) throw e
    }
    if (view && viewMismatch(view, model, params, state, x) <= 1e-5) return layeredEngine(view, model.numClasses)
    if (choice === "layered")
      throw new UnsupportedModelError(
        model.name,
        view ? "its sequential view does not reproduce the model's logits" : "no sequential view (supported: linear, twoLayerLinear, mlp, smallCnn)"
      )
    return loopEngine(model, params, state)
  }
  const engine = pick()
  if (!layers) return engine
  for (const [i, l] of layers.entries()) {
    if (!engine.layers.includes(l))
      throw new AnalysisInputError("decompose", `layers[${i}]`, `"${l}" is not a layer of ${model.name} (layers: ${engine.layers.join(", ")})`)
  }
  return engine.kind === "layered" ? layeredEngine(viewOfModel(model, params)!, model.numClasses, layers) : loopEngine(model, params, state, layers)
}
