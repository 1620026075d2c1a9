import { type NativeInfo, type PeakMeasurement, requireAddon } from "./addon.js"
import { NativeKernelError } from "./errors.js"

/** The addon's SIMD level, GEMM micro-kernel and thread count. */
export const nativeInfo = (): NativeInfo => requireAddon().info()

/**
 * Resizes the addon's thread pool (the calling thread included); returns the new size.
 * The default is SAMLAB_NATIVE_THREADS, else every usable core. Not while a kernel runs.
 */
export const setNativeThreads = (threads: number): number => {
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new NativeKernelError("setNativeThreads", `threads must be an integer in [1, 256], got ${threads}`)
  return requireAddon().setThreads(threads)
}

/**
 * The machine's fp32 peak as this addon can reach it: ten independent FMA chains per thread
 * (8 lanes with AVX2, the portable path otherwise) on every pool thread, timed after a warm-up.
 * `iterations` per chain sets the run length (default 2e7: about a fifth of a second on a
 * 3 GHz core). The ceiling against which kernel GFLOP/s are read.
 */
export const measureNativePeak = (iterations = 2e7): PeakMeasurement => {
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new NativeKernelError("measureNativePeak", `iterations must be a positive integer, got ${iterations}`)
  return requireAddon().measurePeak(iterations)
}
