/**
 * @samlab/core-tensor/effect: the parts of core-tensor built on Effect, for pipelines and
 * services. The main entry imports no Effect, so a user of the models and optimizers alone
 * never loads it; `BackendUnavailableError` (main entry) is a tagged error `Effect.catchTag` matches.
 */
export { TensorBackend, TensorBackendLive } from "./effect/backend-service.js"
export { scopedParams, scopedTensor } from "./effect/scoped.js"
