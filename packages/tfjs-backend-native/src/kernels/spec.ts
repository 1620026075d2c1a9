import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core"
import type { NativeAddon } from "../addon.js"
import type { NativeBackend } from "../backend.js"

export interface NativeKernelArgs {
  readonly inputs: NamedTensorInfoMap
  readonly backend: NativeBackend
  readonly attrs: NamedAttrMap
}

/**
 * One native kernel. `run` returns `undefined` to hand the call to the cpu kernel of the same
 * name (unsupported dtype, layout or attribute), which is how every fallback happens.
 * A kernel of the backend's own (`own: true`, no cpu twin, e.g. "SamlabChannelMoments") is
 * registered for "native" only and never declines.
 */
export interface NativeKernelSpec {
  readonly kernelName: string
  readonly run: (args: NativeKernelArgs, addon: NativeAddon) => TensorInfo | TensorInfo[] | undefined
  readonly own?: boolean
}
