import { TaggedError } from "@samlab/core-tensor"

/**
 * The layer asked to count as the features is not in the forward output: `layer` is the
 * activation name, or undefined for the penultimate layer (`ForwardOutput.features`).
 */
export class MissingFeaturesError extends TaggedError("MissingFeaturesError") {
  constructor(
    readonly where: string,
    readonly layer: string | undefined,
    readonly available: readonly string[]
  ) {
    super(
      layer === undefined
        ? `${where}: the forward output has no "features" (the input of the last linear layer); return them from the forward function or name a layer with featureLayer (activations: [${available.join(", ")}])`
        : `${where}: no activation named "${layer}" in the forward output (activations: [${available.join(", ")}])`
    )
  }
}

/** The head weight key is not among the params (pass `headWeight: model.headWeight`). */
export class MissingHeadWeightError extends TaggedError("MissingHeadWeightError") {
  constructor(
    readonly where: string,
    readonly headWeight: string,
    readonly available: readonly string[]
  ) {
    super(`${where}: no parameter "${headWeight}" to penalise as the head weight (params: [${available.join(", ")}]); pass headWeight: model.headWeight`)
  }
}

/** `featureWeighting: "logit-term"` needs the labels, to form u = softmax(f) - onehot(y). */
export class MissingLabelsError extends TaggedError("MissingLabelsError") {
  constructor(readonly where: string) {
    super(`${where}: featureWeighting "logit-term" needs the batch labels (pass labels in the options)`)
  }
}

/** The features tensor is not `[batch, ...]` with the logits' batch size. */
export class FeatureShapeError extends TaggedError("FeatureShapeError") {
  constructor(
    readonly where: string,
    readonly layer: string | undefined,
    readonly shape: readonly number[],
    readonly batch: number
  ) {
    super(
      `${where}: features ${layer === undefined ? "(penultimate layer)" : `"${layer}"`} have shape [${shape.join(", ")}], expected [${batch}, ...] (one row per example)`
    )
  }
}
