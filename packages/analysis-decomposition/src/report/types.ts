/**
 * The report's input: plain JSON-able data the steps package fills from per-epoch metrics.
 * Accuracies are fractions in [0, 1] (shown as percentages). Numbers may be NaN where a value
 * does not exist (an empty noisy group): `reportJson` writes them as null and
 * `parseReportInput` reads null back as NaN.
 */

/** One epoch of one method; the tracker's `EpochMetrics` fits (extra numeric fields are kept). */
export interface ReportEpoch {
  readonly epoch: number
  readonly testAcc: number
  readonly cleanTrainAcc?: number
  readonly noisyTrainAccNoisyLabel?: number
  readonly noisyTrainAccTrueLabel?: number
  readonly validationAcc?: number
  readonly featureNormSq?: number
  readonly headNormSq?: number
  readonly trainLoss?: number
  readonly testLoss?: number
  /** SANER: share of coordinates in group B (0 < g_sam / g < 1), mean over the epoch's steps. */
  readonly groupBShare?: number
  /** The same on a fixed batch of clean / of noisy training examples, at the epoch's end. */
  readonly groupBShareClean?: number
  readonly groupBShareNoisy?: number
}

/** Location and spread of one per-example quantity over a group (the decomposition's `DistributionSummary` fits). */
export interface GroupStat {
  readonly mean: number
  readonly median: number
  readonly q25: number
  readonly q75: number
}

export interface DecompositionGroupPoint {
  readonly count: number
  readonly logitTermNorm: GroupStat
  readonly gradNorm: GroupStat
  readonly samGradNorm: GroupStat
  readonly samFactor: GroupStat
  readonly logitFactor: GroupStat
  readonly jacobianFactor: GroupStat
}

/** The decomposition at one epoch, clean vs noisy examples. */
export interface DecompositionPoint {
  readonly epoch: number
  readonly clean: DecompositionGroupPoint
  readonly noisy: DecompositionGroupPoint
}

export const summaryFields = [
  "bestTestAcc",
  "bestEpoch",
  "finalTestAcc",
  "earlyStopTestAcc",
  "earlyStopEpoch",
  "cleanTrainAccAtBest",
  "noisyTrainAccNoisyLabelAtBest",
  "wallSeconds"
] as const
export type SummaryField = (typeof summaryFields)[number]

/** A method's headline numbers (means over seeds when there are several). */
export interface MethodSummary {
  readonly bestTestAcc: number
  readonly bestEpoch: number
  readonly finalTestAcc: number
  /** Test accuracy at the epoch of best noisy-validation accuracy. */
  readonly earlyStopTestAcc?: number
  readonly earlyStopEpoch?: number
  readonly cleanTrainAccAtBest?: number
  /** Fraction of noisy examples fitted to their wrong label at the best epoch. */
  readonly noisyTrainAccNoisyLabelAtBest?: number
  readonly wallSeconds?: number
  readonly seeds: readonly number[]
  /** Standard deviations over seeds, shown as ±. */
  readonly std?: Partial<Readonly<Record<SummaryField, number>>>
}

export interface MethodReport {
  /** Display name (default: the method key). */
  readonly label?: string
  readonly summary: MethodSummary
  /** Epochs in order (one seed's curve, or the mean over seeds). */
  readonly perEpoch: readonly ReportEpoch[]
  /** With several seeds: the lowest and highest value over seeds, epoch by epoch (drawn as a band around the curve). */
  readonly perEpochMin?: readonly ReportEpoch[]
  readonly perEpochMax?: readonly ReportEpoch[]
  readonly decomposition?: readonly DecompositionPoint[]
  /** In a sweep: the method alone (its display name) and the swept fields' values of this group. */
  readonly sweep?: SweepPoint
}

export interface SweepPoint {
  readonly method: string
  readonly values: { readonly [field: string]: JsonValue }
}

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

export interface ReportInput {
  readonly title: string
  readonly subtitle?: string
  /** The result in one sentence, shown first. */
  readonly headline?: string
  /** The experiment's configuration, shown as a table of dotted keys. */
  readonly config: { readonly [key: string]: JsonValue }
  /** In the order they should appear (insertion order). */
  readonly methods: { readonly [method: string]: MethodReport }
  readonly notes?: readonly string[]
  /** Shown above the results, highlighted (e.g. a method whose best epoch is one of its last: it may not have peaked). */
  readonly warnings?: readonly string[]
  /** ISO time, shown in the header. */
  readonly createdAt?: string
}
