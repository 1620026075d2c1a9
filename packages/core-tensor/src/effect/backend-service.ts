import { Context, Effect, Layer } from "effect"
import type { BackendName } from "../backend/candidates.js"
import { BackendUnavailableError } from "../backend/errors.js"
import { type BackendInfo, selectBackend } from "../backend/select.js"

/** The active tfjs backend, as an Effect service. */
export class TensorBackend extends Context.Service<TensorBackend, BackendInfo>()("@samlab/core-tensor/TensorBackend") {}

/** Selects the backend (explicit, `SAMLAB_BACKEND`, or the best present) when the layer is built. */
export const TensorBackendLive = (backend: BackendName | "auto" = "auto", log?: (line: string) => void) =>
  Layer.effect(
    TensorBackend,
    Effect.tryPromise({
      try: () => selectBackend({ backend, log }),
      catch: (e) => (e instanceof BackendUnavailableError ? e : new BackendUnavailableError(backend, "", e instanceof Error ? e.message : String(e)))
    })
  )
