import { type NativeInfo, requireAddon } from "./addon.js"
import { NativeKernelError } from "./errors.js"

/** The addon's SIMD level, GEMM micro-kernel and thread count. */
export const nativeInfo = (): NativeInfo => requireAddon().info()

/**
 * Resizes the addon's thread pool (the calling thread included); returns the new size.
 * The default is SAMLAB_NATIVE_THREADS, else every usable core. Not while a kernel runs.
 */
export const setNativeThreads = (threads: number): number => {
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new NativeKernelError("setNativeThreads", `threads must be an integer in [1, 256], got ${threads}`)
  return requireAddon().setThreads(threads)
}
