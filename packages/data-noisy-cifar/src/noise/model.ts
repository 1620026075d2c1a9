import { InvalidOptionError } from "../errors.js"
import { CIFAR100_ASYMMETRIC_TARGETS, CIFAR10_ASYMMETRIC_TARGETS } from "./asymmetric.js"
import { type TransitionMatrix, pairFlipMatrix, symmetricAllMatrix, symmetricMatrix, validateTransitionMatrix } from "./transition.js"

/** What label noise to inject. Rates are probabilities in [0, 1]. */
export type NoiseSpec =
  | { readonly kind: "none" }
  /** Flip to one of the other K - 1 classes uniformly: the realised rate equals `rate`. */
  | { readonly kind: "symmetric"; readonly rate: number }
  /** Relabel uniformly over all K classes: about rate * (K - 1) / K of labels change. */
  | { readonly kind: "symmetric-all"; readonly rate: number }
  /** Class-dependent flips; `targets[c]` is where class c goes (default: the CIFAR-10 or CIFAR-100 map by K). */
  | { readonly kind: "asymmetric"; readonly rate: number; readonly targets?: ArrayLike<number> }
  /** Any row-stochastic matrix: rows are clean classes, columns noisy labels. */
  | { readonly kind: "transition"; readonly matrix: TransitionMatrix }

export type NoiseKind = NoiseSpec["kind"]

/**
 * A noise process as two stages, which together give `transition`: an example of class c is
 * selected with probability `selectProb[c]`, then relabelled by drawing from `replacement[c]`.
 * For `symmetric-all` the replacement row includes c itself, so a selected label may stay.
 */
export interface NoiseModel {
  readonly numClasses: number
  readonly selectProb: readonly number[]
  readonly replacement: readonly (readonly number[])[]
  /** The nominal transition matrix, rows clean class, row-stochastic. */
  readonly transition: readonly (readonly number[])[]
  /** The rate asked for (for a matrix: its mean off-diagonal mass over classes). */
  readonly nominalRate: number
}

export const noiseModel = (spec: NoiseSpec, numClasses: number): NoiseModel => {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new InvalidOptionError("numClasses", numClasses, "must be a positive integer")
  switch (spec.kind) {
    case "none":
      return fromMatrix(identity(numClasses), 0)
    case "symmetric": {
      checkRate(spec.rate)
      if (numClasses < 2 && spec.rate > 0) throw new InvalidOptionError("numClasses", numClasses, "symmetric noise needs at least two classes")
      return fromMatrix(numClasses < 2 ? [[1]] : symmetricMatrix(numClasses, spec.rate), spec.rate)
    }
    case "symmetric-all": {
      checkRate(spec.rate)
      const uniform = new Array<number>(numClasses).fill(1 / numClasses)
      return {
        numClasses,
        selectProb: new Array<number>(numClasses).fill(spec.rate),
        replacement: Array.from({ length: numClasses }, () => uniform),
        transition: symmetricAllMatrix(numClasses, spec.rate),
        nominalRate: spec.rate
      }
    }
    case "asymmetric": {
      checkRate(spec.rate)
      const targets = spec.targets ?? (numClasses === 10 ? CIFAR10_ASYMMETRIC_TARGETS : numClasses === 100 ? CIFAR100_ASYMMETRIC_TARGETS : undefined)
      if (!targets)
        throw new InvalidOptionError("targets", undefined, `asymmetric noise has built-in targets for 10 or 100 classes only; pass targets for ${numClasses}`)
      if (targets.length !== numClasses) throw new InvalidOptionError("targets", targets.length, `needs one target per class (${numClasses})`)
      for (let c = 0; c < numClasses; c++) {
        const t = targets[c]!
        if (!Number.isInteger(t) || t < 0 || t >= numClasses) throw new InvalidOptionError(`targets[${c}]`, t, `must be a class in 0..${numClasses - 1}`)
      }
      return fromMatrix(pairFlipMatrix(targets, spec.rate), spec.rate)
    }
    case "transition": {
      validateTransitionMatrix(spec.matrix, numClasses)
      const m = spec.matrix.map((row) => Array.from(row))
      const offDiagonal = m.reduce((acc, row, c) => acc + 1 - row[c]!, 0) / numClasses
      return fromMatrix(m, offDiagonal)
    }
    default:
      throw new InvalidOptionError("noise.kind", (spec as { kind: unknown }).kind, "expected none, symmetric, symmetric-all, asymmetric or transition")
  }
}

/** Splits a matrix into "leave the diagonal" probability and where to go when leaving. */
const fromMatrix = (matrix: number[][], nominalRate: number): NoiseModel => {
  const numClasses = matrix.length
  const selectProb = matrix.map((row, c) => Math.max(0, 1 - row[c]!))
  const replacement = matrix.map((row, c) => {
    const leave = selectProb[c]!
    if (leave <= 0) return row.map((_, j) => (j === c ? 1 : 0))
    return row.map((v, j) => (j === c ? 0 : v / leave))
  })
  return { numClasses, selectProb, replacement, transition: matrix, nominalRate }
}

const identity = (k: number): number[][] => Array.from({ length: k }, (_, c) => Array.from({ length: k }, (_, j) => (j === c ? 1 : 0)))

const checkRate = (rate: number): void => {
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0 || rate > 1) throw new InvalidOptionError("rate", rate, "must be a number in [0, 1]")
}
