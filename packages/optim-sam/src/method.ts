import { type Batch, LabelMismatchError, NonFiniteLossError, type TrainingMethod, applyUpdates, disposeParams } from "@samlab/core-tensor"
import { denseMethodGradient } from "./dense/method-gradient.js"
import { chunkLoopGradient } from "./generic/chunk-loop.js"
import type { MethodGradient } from "./method-gradient.js"
import { type SamFamilyOptions, checkSamOptions, chunkCount } from "./options.js"

const checkBatch = (batch: Batch, where: string): number => {
  const size = batch.x.shape[0]
  if (size === undefined || size < 1) throw new LabelMismatchError(where, `x must have a batch dimension, got shape [${batch.x.shape}]`)
  if (batch.y.rank !== 1 || batch.y.shape[0] !== size) throw new LabelMismatchError(where, `${batch.y.rank === 1 ? batch.y.shape[0] : `shape [${batch.y.shape}] of`} labels for a batch of ${size} examples`)
  if (batch.y.dtype !== "int32") throw new LabelMismatchError(where, `labels must be int32 class indices, got dtype ${batch.y.dtype}`)
  return size
}

/**
 * The SAM family as a `TrainingMethod`: SAM, ASAM (`adaptive`), m-sharpness (`chunkSize`;
 * 1 = 1-SAM), L-SAM, J-SAM and SANER (`variant`), each wrapping any base `GradientTransformation`.
 * SANER's steps report `metrics.groupBShare` (share of coordinates in group B).
 * The method's gradient goes to `base` at the unperturbed w, so weight decay and momentum
 * apply once. `loss` is the mean loss at w; `modelState` comes from the unperturbed pass only.
 * Errors: `InvalidRhoError`, `ChunkSizeError`, `SamConfigError` (construction or step),
 * `LabelMismatchError`, `NonFiniteLossError` (with the step number; no update is made).
 */
export const samFamily = <S>(options: SamFamilyOptions<S>): TrainingMethod<S> => {
  const o = checkSamOptions(options, "samFamily")
  const base = options.base
  const name = `${o.adaptive ? "a" : ""}${o.variant}(rho=${o.rho}${o.variant === "saner" ? `, alpha=${o.alpha}` : ""}${o.chunkSize === undefined ? "" : `, m=${o.chunkSize}`}${o.dense ? ", batched" : ""}) -> ${base.name}`
  return {
    name,
    init: (params) => base.init(params),
    disposeState: (state) => base.disposeState(state),
    step: (params, state, batch, forward, stepNumber) => {
      const where = `${name} step ${stepNumber}`
      const chunks = chunkCount(checkBatch(batch, where), o.chunkSize, where)
      const r: MethodGradient = o.dense ? denseMethodGradient(o, o.dense, params, batch, chunks, where) : chunkLoopGradient(o, params, batch, forward, chunks, where)
      try {
        const loss = r.loss.dataSync()[0]!
        const metrics = r.groupBShare ? { groupBShare: r.groupBShare.dataSync()[0]! } : undefined
        if (!Number.isFinite(loss)) throw new NonFiniteLossError(name, stepNumber, loss)
        const { updates, state: next } = base.update(r.grad, state, params)
        const newParams = applyUpdates(params, updates)
        disposeParams(updates)
        return { params: newParams, state: next, loss, modelState: r.modelState, ...(metrics ? { metrics } : {}) }
      } catch (e) {
        disposeParams(r.modelState)
        throw e
      } finally {
        disposeParams(r.grad)
        r.loss.dispose()
        r.groupBShare?.dispose()
      }
    }
  }
}

type Named<S> = Omit<SamFamilyOptions<S>, "variant" | "adaptive" | "alpha">

/** SAM (Foret et al. 2021); with `chunkSize` m, m-sharpness; m = 1 is 1-SAM. */
export const sam = <S>(options: Named<S>): TrainingMethod<S> => samFamily({ ...options, variant: "sam" })
/** Adaptive SAM (Kwon et al. 2021): the perturbation scaled by |w|. */
export const asam = <S>(options: Omit<Named<S>, "dense">): TrainingMethod<S> => samFamily({ ...options, variant: "sam", adaptive: true })
/** L-SAM: only the logit term u sees the perturbed weights (Baek et al. 2024). */
export const lsam = <S>(options: Named<S>): TrainingMethod<S> => samFamily({ ...options, variant: "lsam" })
/** J-SAM: only the Jacobian sees the perturbed weights (Baek et al. 2024). */
export const jsam = <S>(options: Named<S>): TrainingMethod<S> => samFamily({ ...options, variant: "jsam" })

/**
 * SANER (Luong, Nguyen, Tran, Tran 2024, arXiv 2411.17132): SAM's gradient with the
 * coordinates SAM already shrinks (`0 < gs / (g0 + 1e-8) < 1`, group B) scaled by `alpha`;
 * whole batch, any model (the chunk loop: two passes, as SAM).
 */
export const saner = <S>(options: Omit<Named<S>, "dense" | "chunkSize"> & { readonly alpha: number }): TrainingMethod<S> => samFamily({ ...options, variant: "saner" })
