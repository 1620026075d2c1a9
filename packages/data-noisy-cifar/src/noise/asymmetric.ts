import { CIFAR100_FINE_TO_COARSE } from "../class-names.js"
import type { DatasetName } from "../dataset.js"

/**
 * CIFAR-10 class-dependent flips (Patrini et al., 2017): truck -> automobile, bird -> airplane,
 * deer -> horse, cat <-> dog; the other classes keep their labels.
 */
export const CIFAR10_ASYMMETRIC_TARGETS: readonly number[] = [0, 1, 0, 5, 7, 3, 6, 7, 8, 1]

/**
 * CIFAR-100: each fine class moves to the next fine class of its own superclass (members in
 * label order, cyclically). This follows the superclass table; note that some public code flips
 * within blocks of five consecutive label indices instead, which are not superclasses.
 */
export const CIFAR100_ASYMMETRIC_TARGETS: readonly number[] = CIFAR100_FINE_TO_COARSE.map((coarse, fine) => {
  const members = CIFAR100_FINE_TO_COARSE.flatMap((c, f) => (c === coarse ? [f] : []))
  return members[(members.indexOf(fine) + 1) % members.length]!
})

export const asymmetricTargets = (dataset: DatasetName): readonly number[] => (dataset === "cifar10" ? CIFAR10_ASYMMETRIC_TARGETS : CIFAR100_ASYMMETRIC_TARGETS)
