import type { LinearLogisticResult, StoredLinearLogisticRecord } from "../train/linear-logistic-step.js"
import { meanOf } from "@samlab/analysis-decomposition"
import { maxOf } from "../schema.js"

/** One rho's numbers: means over seeds (closed-form error: the max), with the per-seed values. */
export interface LinearLogisticRhoSummary {
  readonly rho: number
  readonly seeds: number[]
  /** Each run's best test accuracy over the recorded steps, and the step it happened. */
  readonly bestTestAcc: number | null
  readonly bestStep: number | null
  readonly finalTestAcc: number | null
  readonly finalCleanTrainAcc: number | null
  /** Fraction of flipped examples fit to their wrong label at the last step. */
  readonly finalNoisyFit: number | null
  /** Clean/noisy gradient-weight ratio averaged over the early window (0 < step <= steps/4) and the late one (step >= 3 steps/4). */
  readonly weightRatioEarly: number | null
  readonly weightRatioLate: number | null
  /** Autodiff 1-SAM vs the closed form: max over seeds, steps and examples. */
  readonly closedFormMaxRelErr: number | null
  readonly perSeed: {
    readonly [K in "bestTestAcc" | "bestStep" | "finalTestAcc" | "finalNoisyFit" | "weightRatioEarly" | "weightRatioLate"]: Array<number | null>
  }
}

export interface LinearLogisticSummaryFile {
  readonly experiment: "linear-logistic"
  readonly windows: { readonly early: string; readonly late: string }
  /** By increasing rho; rho = 0 is plain GD. */
  readonly rhos: LinearLogisticRhoSummary[]
  /** The comparisons the experiment is about. */
  readonly facts: {
    readonly gdBestTestAcc: number | null
    /** The best 1-SAM rho by mean best test accuracy, that accuracy and its gain over GD. */
    readonly samBestRho: number | null
    readonly samBestTestAcc: number | null
    readonly peakGain: number | null
    /** Early weight ratio of each rho > 0, in rho order, and whether it rises with rho. */
    readonly weightRatioEarlyByRho: Array<number | null>
    readonly weightRatioRisesWithRho: boolean
    readonly closedFormMaxRelErr: number | null
  }
}

const perRun = (r: LinearLogisticResult) => {
  const recs = r.records
  const best = recs.reduce<StoredLinearLogisticRecord | undefined>(
    (b, x) => (x.testAcc !== null && (b === undefined || x.testAcc > (b.testAcc ?? -1)) ? x : b),
    undefined
  )
  const last = recs[recs.length - 1]
  const window = (keep: (s: number) => boolean) => meanOf(recs.filter((x) => keep(x.step)).map((x) => x.weightRatio))
  return {
    bestTestAcc: best?.testAcc ?? null,
    bestStep: best?.step ?? null,
    finalTestAcc: last?.testAcc ?? null,
    finalCleanTrainAcc: last?.cleanTrainAcc ?? null,
    finalNoisyFit: last?.noisyFit ?? null,
    weightRatioEarly: window((s) => s > 0 && s <= r.steps / 4),
    weightRatioLate: window((s) => s >= (3 * r.steps) / 4),
    closedFormMaxRelErr: maxOf(recs.map((x) => x.closedFormMaxRelErr))
  }
}

/** Groups the runs by rho and summarises each group over seeds. */
export const summarizeLinearLogistic = (results: readonly LinearLogisticResult[]): LinearLogisticSummaryFile => {
  const rhoValues = [...new Set(results.map((r) => r.rho))].sort((a, b) => a - b)
  const rhos = rhoValues.map((rho): LinearLogisticRhoSummary => {
    const runs = results.filter((r) => r.rho === rho).sort((a, b) => a.seed - b.seed)
    const stats = runs.map(perRun)
    const col = <K extends keyof ReturnType<typeof perRun>>(k: K) => stats.map((s) => s[k])
    return {
      rho,
      seeds: runs.map((r) => r.seed),
      bestTestAcc: meanOf(col("bestTestAcc")),
      bestStep: meanOf(col("bestStep")),
      finalTestAcc: meanOf(col("finalTestAcc")),
      finalCleanTrainAcc: meanOf(col("finalCleanTrainAcc")),
      finalNoisyFit: meanOf(col("finalNoisyFit")),
      weightRatioEarly: meanOf(col("weightRatioEarly")),
      weightRatioLate: meanOf(col("weightRatioLate")),
      closedFormMaxRelErr: maxOf(col("closedFormMaxRelErr")),
      perSeed: {
        bestTestAcc: col("bestTestAcc"),
        bestStep: col("bestStep"),
        finalTestAcc: col("finalTestAcc"),
        finalNoisyFit: col("finalNoisyFit"),
        weightRatioEarly: col("weightRatioEarly"),
        weightRatioLate: col("weightRatioLate")
      }
    }
  })
  const gd = rhos.find((r) => r.rho === 0)
  const sams = rhos.filter((r) => r.rho > 0)
  const bestSam = sams.reduce<LinearLogisticRhoSummary | undefined>(
    (b, r) => (r.bestTestAcc !== null && (b === undefined || r.bestTestAcc > (b.bestTestAcc ?? -1)) ? r : b),
    undefined
  )
  const early = sams.map((r) => r.weightRatioEarly)
  const rises = early.length > 0 && early.every((v, i) => v !== null && v > 1 && (i === 0 || v > early[i - 1]!))
  return {
    experiment: "linear-logistic",
    windows: { early: "0 < step <= steps/4", late: "step >= 3 steps/4" },
    rhos,
    facts: {
      gdBestTestAcc: gd?.bestTestAcc ?? null,
      samBestRho: bestSam?.rho ?? null,
      samBestTestAcc: bestSam?.bestTestAcc ?? null,
      peakGain: gd?.bestTestAcc != null && bestSam?.bestTestAcc != null ? bestSam.bestTestAcc - gd.bestTestAcc : null,
      weightRatioEarlyByRho: early,
      weightRatioRisesWithRho: rises,
      closedFormMaxRelErr: maxOf(rhos.map((r) => r.closedFormMaxRelErr))
    }
  }
}
