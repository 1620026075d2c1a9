/**
 * @samlab/core-tensor/internal: helpers samlab's own packages share that are not part of the
 * public API (no compatibility promise): the label checks the training methods run and the
 * Variable save/restore behind optim-sam's `SAMOptimizer`, and the field checks of the plain validators.
 */
export { assertLabelsFit, assertLabelsInRange } from "./loss/validate.js"
export { type VariableSnapshot, disposeVariableSnapshot, restoreVariables, snapshotVariables } from "./params/params.js"
export { type FieldFailure, booleanField, nonEmptyString, nonNegativeFinite, oneOf, positiveInt, positiveIntList, shownValue } from "./errors/fields.js"
