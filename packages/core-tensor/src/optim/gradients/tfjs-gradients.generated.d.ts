// Types of the module that scripts/generate-tfjs-gradients.mjs generates beside this file.
import type { GradConfig } from "@tensorflow/tfjs-core"

/** The @tensorflow/tfjs-core version the gradient functions were generated from. */
export declare const tfjsCoreVersion: string
/** tfjs-core's gradient functions, one per kernel, in the order tfjs registers them. */
export declare const gradConfigs: readonly GradConfig[]
