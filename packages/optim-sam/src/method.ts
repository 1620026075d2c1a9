import { type Batch, type GradientEstimator, type TrainingMethod, LabelMismatchError, withBase } from "@samlab/core-tensor"
import { convMethodGradient } from "./conv/method-gradient.js"
import { denseMethodGradient } from "./dense/method-gradient.js"
import { SamConfigError } from "./errors.js"
import { chunkLoopGradient } from "./generic/chunk-loop.js"
import { type SamEstimatorOptions, type SamFamilyOptions, checkBase, checkSamOptions, chunkCount } from "./options.js"

const checkBatch = (batch: Batch, where: string): number => {
  const size = batch.x.shape[0]
  if (size === undefined || size < 1) throw new LabelMismatchError(where, `x must have a batch dimension, got shape [${batch.x.shape}]`)
  if (batch.y.rank !== 1 || batch.y.shape[0] !== size)
    throw new LabelMismatchError(where, `${batch.y.rank === 1 ? batch.y.shape[0] : `shape [${batch.y.shape}] of`} labels for a batch of ${size} examples`)
  if (batch.y.dtype !== "int32") throw new LabelMismatchError(where, `labels must be int32 class indices, got dtype ${batch.y.dtype}`)
  return size
}

/**
 * The SAM family's gradient: SAM, ASAM (`adaptive`), m-sharpness (`chunkSize`; 1 = 1-SAM),
 * L-SAM, J-SAM and SANER (`variant`; its estimates report `metrics.groupBShare`, the share of
 * coordinates in group B). `loss` is the mean loss at w; `modelState` comes from the
 * unperturbed pass only. A loss term (`withLossTerm`) joins every pass's objective; the batched
 * `batched` path computes the cross-entropy alone and refuses one (`SamConfigError`).
 */
export const samEstimator = (options: SamEstimatorOptions): GradientEstimator => {
  const o = checkSamOptions(options, "samEstimator")
  return {
    name: `${o.adaptive ? "a" : ""}${o.variant}(rho=${o.rho}${o.variant === "saner" ? `, alpha=${o.alpha}` : ""}${o.chunkSize === undefined ? "" : `, m=${o.chunkSize}`}${o.batched ? ", batched" : ""})`,
    estimate: (params, batch, forward, where, term) => {
      const chunks = chunkCount(checkBatch(batch, where), o.chunkSize, where)
      if (o.batched === undefined) return chunkLoopGradient(o, params, batch, forward, chunks, where, term)
      if (term)
        throw new SamConfigError(
          where,
          "batched",
          `the batched path computes the cross-entropy alone, so it cannot add the loss term ${term.name}; leave batched unset`
        )
      return o.batched.kind === "conv-stack"
        ? convMethodGradient(o, o.batched, params, batch, chunks, where)
        : denseMethodGradient(o, o.batched, params, batch, chunks, where)
    }
  }
}

/**
 * The SAM family as a `TrainingMethod`: `withBase(samEstimator(options), base)`. The method's
 * gradient goes to `base` at the unperturbed w, so weight decay and momentum apply once.
 * Errors: `InvalidRhoError`, `ChunkSizeError`, `SamConfigError` (construction or step),
 * `LabelMismatchError`, `NonFiniteLossError` (with the step number; no update is made).
 */
export const samFamily = <S>(options: SamFamilyOptions<S>): TrainingMethod<S> => {
  const base = checkBase(options.base, "samFamily")
  return withBase(samEstimator(options), base)
}

type Named<S> = Omit<SamFamilyOptions<S>, "variant" | "adaptive" | "alpha">

/** SAM (Foret et al. 2021); with `chunkSize` m, m-sharpness; m = 1 is 1-SAM. */
export const sam = <S>(options: Named<S>): TrainingMethod<S> => samFamily({ ...options, variant: "sam" })
/** Adaptive SAM (Kwon et al. 2021): the perturbation scaled by |w|. */
export const asam = <S>(options: Omit<Named<S>, "batched">): TrainingMethod<S> => samFamily({ ...options, variant: "sam", adaptive: true })
/** L-SAM: only the logit term u sees the perturbed weights (Baek et al. 2024). */
export const lsam = <S>(options: Named<S>): TrainingMethod<S> => samFamily({ ...options, variant: "lsam" })
/** J-SAM: only the Jacobian sees the perturbed weights (Baek et al. 2024). */
export const jsam = <S>(options: Named<S>): TrainingMethod<S> => samFamily({ ...options, variant: "jsam" })

/**
 * SANER (Luong, Nguyen, Tran, Tran 2024, arXiv 2411.17132): SAM's gradient with the
 * coordinates SAM already shrinks (`0 < gs / (g0 + 1e-8) < 1`, group B) scaled by `alpha`;
 * whole batch, any model (the chunk loop: two passes, as SAM).
 */
export const saner = <S>(options: Omit<Named<S>, "batched" | "chunkSize"> & { readonly alpha: number }): TrainingMethod<S> =>
  samFamily({ ...options, variant: "saner" })
