import type { DeepLinearTrainer } from "../train/deep-linear-run.js"
import type { DeepLinearResult } from "../train/deep-linear-step.js"
import { meanOf } from "@samlab/analysis-decomposition"
import { maxOf } from "../schema.js"

/** The J-SAM and objective trajectories count as the same when their relative drift stays below this. */
export const trajectoryTolerance = 1e-4

export interface DeepLinearTrainerSummary {
  readonly bestTestAcc: number | null
  readonly finalTestAcc: number | null
  readonly finalCleanTrainAcc: number | null
  readonly finalNoisyFit: number | null
  readonly finalTrainLoss: number | null
  readonly finalHeadNormSq: number | null
  readonly finalFeatureNormSq: number | null
}

export interface DeepLinearRhoSummary {
  readonly rho: number
  readonly seeds: number[]
  /** max over seeds and steps of ||theta_jsam - theta_objective||_inf / ||theta_jsam||_inf, and at the last step. */
  readonly maxParamRelDiff: number | null
  readonly finalParamRelDiff: number | null
  /** The closed form's per-example objective gradient vs J-SAM by definition: max over seeds and records. */
  readonly objectiveCheckMaxRelErr: number | null
  /** Means over seeds. */
  readonly trainers: { readonly [K in DeepLinearTrainer]: DeepLinearTrainerSummary }
}

export interface DeepLinearSummaryFile {
  readonly experiment: "deep-linear"
  readonly tolerance: number
  readonly rhos: DeepLinearRhoSummary[]
  readonly facts: {
    readonly maxParamRelDiff: number | null
    /** Every rho's drift stayed below `tolerance`. */
    readonly trajectoriesMatch: boolean
    readonly objectiveCheckMaxRelErr: number | null
    /** J-SAM's best and final test accuracy minus plain GD's, per rho (means over seeds). */
    readonly jsamMinusGdBest: Array<number | null>
    readonly jsamMinusGdFinal: Array<number | null>
  }
}

const trainerSummary = (runs: readonly DeepLinearResult[], k: DeepLinearTrainer): DeepLinearTrainerSummary => {
  const last = runs.map((r) => r.records[r.records.length - 1]?.[k])
  return {
    bestTestAcc: meanOf(runs.map((r) => maxOf(r.records.map((rec) => rec[k].testAcc)))),
    finalTestAcc: meanOf(last.map((m) => m?.testAcc)),
    finalCleanTrainAcc: meanOf(last.map((m) => m?.cleanTrainAcc)),
    finalNoisyFit: meanOf(last.map((m) => m?.noisyFit)),
    finalTrainLoss: meanOf(last.map((m) => m?.trainLoss)),
    finalHeadNormSq: meanOf(last.map((m) => m?.headNormSq)),
    finalFeatureNormSq: meanOf(last.map((m) => m?.featureNormSq))
  }
}

const minus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b)

/** Groups the runs by rho and summarises each over seeds. */
export const summarizeDeepLinear = (results: readonly DeepLinearResult[]): DeepLinearSummaryFile => {
  const rhoValues = [...new Set(results.map((r) => r.rho))].sort((a, b) => a - b)
  const rhos = rhoValues.map((rho): DeepLinearRhoSummary => {
    const runs = results.filter((r) => r.rho === rho).sort((a, b) => a.seed - b.seed)
    return {
      rho,
      seeds: runs.map((r) => r.seed),
      maxParamRelDiff: maxOf(runs.flatMap((r) => r.paramRelDiff)),
      finalParamRelDiff: maxOf(runs.map((r) => r.paramRelDiff[r.paramRelDiff.length - 1])),
      objectiveCheckMaxRelErr: maxOf(runs.flatMap((r) => r.records.map((rec) => rec.objectiveCheckRelErr))),
      trainers: { jsam: trainerSummary(runs, "jsam"), objective: trainerSummary(runs, "objective"), gd: trainerSummary(runs, "gd") }
    }
  })
  const maxDiff = maxOf(rhos.map((r) => r.maxParamRelDiff))
  return {
    experiment: "deep-linear",
    tolerance: trajectoryTolerance,
    rhos,
    facts: {
      maxParamRelDiff: maxDiff,
      trajectoriesMatch: rhos.length > 0 && rhos.every((r) => r.maxParamRelDiff !== null && r.maxParamRelDiff < trajectoryTolerance),
      objectiveCheckMaxRelErr: maxOf(rhos.map((r) => r.objectiveCheckMaxRelErr)),
      jsamMinusGdBest: rhos.map((r) => minus(r.trainers.jsam.bestTestAcc, r.trainers.gd.bestTestAcc)),
      jsamMinusGdFinal: rhos.map((r) => minus(r.trainers.jsam.finalTestAcc, r.trainers.gd.finalTestAcc))
    }
  }
}
