/** The compiled addon (build/Release/samlab_native.node) is missing or does not load. */
export class NativeAddonUnavailableError extends Error {
  readonly _tag = "NativeAddonUnavailableError"
  override readonly name = "NativeAddonUnavailableError"
  constructor(
    /** Where the addon was looked for. */
    readonly addonPath: string,
    /** Why it could not be used. */
    readonly reason: string
  ) {
    super(
      `@samlab/tfjs-backend-native: the native addon is unavailable (${reason}). ` +
        "Build it with `npm rebuild @samlab/tfjs-backend-native` (approve its install script first: " +
        "`npm install-scripts approve @samlab/tfjs-backend-native`), or pick another backend."
    )
  }
}

/** A native kernel was called with something it cannot take (a bug in the caller or in this package). */
export class NativeKernelError extends Error {
  readonly _tag = "NativeKernelError"
  override readonly name = "NativeKernelError"
  constructor(
    /** The tfjs kernel name, e.g. "Conv2D". */
    readonly kernel: string,
    readonly reason: string
  ) {
    super(`native ${kernel}: ${reason}`)
  }
}
