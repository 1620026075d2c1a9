import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import type { NativeAddon, NativeInfo } from "./addon.js"

/**
 * The cpu backend's storage and every one of its kernels, with the hot kernels replaced by
 * the addon's. Tensors are plain Float32Arrays that the addon reads and writes in place.
 */
export class NativeBackend extends MathBackendCPU {
  constructor(readonly addon: NativeAddon) {
    super()
    // The cpu backend advises installing tfjs-node on its first write; that advice does not apply here.
    ;(this as unknown as { firstUse: boolean }).firstUse = false
  }

  /** SIMD level, GEMM micro-kernel and thread count of the addon. */
  nativeInfo(): NativeInfo {
    return this.addon.info()
  }
}
