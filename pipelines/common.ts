import { backendNames } from "@samlab/core-tensor"
import { TensorBackendLive } from "@samlab/core-tensor/effect"
import { withDefault } from "@samlab/steps"
import { Schema } from "effect"

/** `auto` takes the best backend present; a name fails clearly when its package is missing. */
export const BackendSchema = withDefault(Schema.Literals(["auto", ...backendNames]), "auto")

/** Every experiment provides the tensor backend its config names. */
export const backendLayer = (c: { readonly backend: "auto" | (typeof backendNames)[number] }) => TensorBackendLive(c.backend)
