import type { Params } from "../params/params.js"
import type { GradientTransformation } from "./transform.js"

/** A transformation without state, from its name and its map of gradients (and params) to updates. */
export const stateless = (name: string, map: (grads: Params, params: Params) => Params): GradientTransformation<undefined> => ({
  name,
  init: () => undefined,
  update: (grads, _state, params) => ({ updates: map(grads, params), state: undefined }),
  disposeState: () => {}
})
