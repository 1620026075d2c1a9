import {
  type GradientTransformation,
  type Model,
  type ModelSpec,
  type Schedule,
  type TrainingMethod,
  adam,
  adamw,
  cosineSchedule,
  sgd
} from "@samlab/core-tensor"
import { makeJacobianRegMethod } from "@samlab/optim-jacobian-reg"
import { type BatchedStructure, convStack, denseStack, makeSamFamilyMethod } from "@samlab/optim-sam"
import type { BaseOptimizerConfig, MethodKey, MethodOptionsConfig } from "../schema.js"

/** The base optimizer a config names; `totalSteps` sizes a cosine schedule. */
export const makeBaseOptimizer = (c: BaseOptimizerConfig, totalSteps: number): GradientTransformation<any> => {
  const lr: number | Schedule = c.schedule === "cosine" ? cosineSchedule({ initial: c.lr, totalSteps: Math.max(1, totalSteps) }) : c.lr
  switch (c.kind) {
    case "sgd":
      return sgd({ lr, momentum: c.momentum, weightDecay: c.weightDecay })
    case "adam":
      return adam({ lr, weightDecay: c.weightDecay })
    case "adamw":
      return adamw({ lr, weightDecay: c.weightDecay })
  }
}

/**
 * The structure of the batched 1-SAM/L-SAM/J-SAM path: MLPs and linear nets are dense stacks, the small CNN a
 * conv stack; models with batch norm (the ResNets), whose examples interact within a pass, use the chunk loop.
 */
export const batchedStructureOf = (spec: ModelSpec | undefined): BatchedStructure | undefined => {
  switch (spec?.kind) {
    case "mlp":
      return denseStack({ activation: spec.activation ?? "relu" })
    case "two-layer-linear":
      return denseStack({ linear: true })
    case "cnn":
      return convStack()
    default:
      return undefined
  }
}

/**
 * A training method from its key: `erm` (the base optimizer alone), the SAM family (`sam`, `asam`, `sam1`,
 * `lsam`, `jsam`, `saner`) and the Jacobian regularizer (`jacreg`), all over the same base optimizer.
 */
export const makeMethod = (
  key: MethodKey,
  options: MethodOptionsConfig,
  base: BaseOptimizerConfig,
  totalSteps: number,
  model?: { spec: ModelSpec; model: Model }
): TrainingMethod<any> => {
  const baseOptimizer = makeBaseOptimizer(base, totalSteps)
  if (key === "jacreg") {
    return makeJacobianRegMethod({
      base: baseOptimizer,
      lambdaFeatures: options.lambdaFeatures,
      lambdaHead: options.lambdaHead,
      ...(options.featureWeighting !== undefined ? { featureWeighting: options.featureWeighting } : {}),
      ...(options.norm !== undefined ? { norm: options.norm } : {}),
      ...(model ? { headWeight: model.model.headWeight } : {})
    })
  }
  if (key === "saner") return makeSamFamilyMethod(key, { base: baseOptimizer, rho: options.rho, alpha: options.alpha })
  const perChunk = key === "sam1" || options.chunkSize > 0
  return makeSamFamilyMethod(key, {
    base: baseOptimizer,
    rho: options.rho,
    ...(options.chunkSize > 0 && key !== "sam1" ? { chunkSize: options.chunkSize } : {}),
    // the batched path pays off with many chunks; one whole-batch perturbation is cheaper without it
    batched: perChunk ? batchedStructureOf(model?.spec) : undefined
  })
}
