import type { GroupReweighting } from "./reweighting.js"

/**
 * What the tracker measures after an epoch, JSON-able (NaN, for an empty group, becomes null in
 * JSON). Accuracies are fractions in [0, 1]; losses are mean cross-entropies; all on the
 * evaluation-mode model. "Noisy" examples are those whose training label is wrong.
 */
export interface EpochMetrics {
  readonly epoch: number
  readonly testAcc: number
  readonly testLoss: number
  /** Against the labels trained on. */
  readonly trainAcc: number
  readonly trainLoss: number
  readonly cleanTrainAcc: number
  readonly cleanTrainLoss: number
  /** Noisy examples predicted as their (wrong) training label: memorisation. */
  readonly noisyTrainAccNoisyLabel: number
  /** Noisy examples predicted as their true label. */
  readonly noisyTrainAccTrueLabel: number
  readonly noisyTrainLoss: number
  readonly noisyTrainLossTrueLabel: number
  /** Held-out examples with noisy labels, scored against those labels (absent without a validation split). */
  readonly validationAcc?: number
  readonly validationLoss?: number
  /** Mean over training examples of ||features_i||^2. */
  readonly featureNormSq: number
  readonly cleanFeatureNormSq: number
  readonly noisyFeatureNormSq: number
  /** ||W_head||_F^2 */
  readonly headNormSq: number
  /** The linear-model reweighting factor on the training examples (when asked for). */
  readonly reweighting?: { readonly rho: number; readonly clean: GroupReweighting; readonly noisy: GroupReweighting }
  /** Seconds the evaluation took. */
  readonly evalSeconds: number
}

/** Early stopping and final numbers over a run's epochs. */
export interface RunSummary {
  readonly epochs: number
  /** The early-stopping peak: best test accuracy and the first epoch reaching it. */
  readonly bestTestAcc: number
  readonly bestEpoch: number
  readonly finalTestAcc: number
  /** Training accuracies at the best epoch. */
  readonly cleanTrainAccAtBest: number
  readonly noisyTrainAccNoisyLabelAtBest: number
  /** The pick a practitioner could make: the epoch of best noisy-validation accuracy (first on ties), and the test accuracy there. */
  readonly earlyStopEpoch?: number
  readonly earlyStopValidationAcc?: number
  readonly earlyStopTestAcc?: number
}
