import { Rng } from "@samlab/core-tensor"
import type { DecompositionGroupPoint, MethodReport, ReportEpoch, ReportInput } from "../src/index.js"

/**
 * A synthetic but plausible ReportInput (curves shaped like the PyTorch reference's: SGD peaks
 * early and memorises, SAM and J-SAM keep noisy examples unfitted longer), for looking at the
 * report's layout. Not a result.
 */
const curve = (epochs: number, peak: number, peakEpoch: number, final: number, rng: Rng): number[] =>
  Array.from({ length: epochs }, (_, i) => {
    const e = i + 1
    const rise = peak * (1 - Math.exp(-e / (peakEpoch / 2.2)))
    const decay = e > peakEpoch ? ((peak - final) * (e - peakEpoch)) / (epochs - peakEpoch) : 0
    return Math.max(0.1, Math.min(1, rise - decay + 0.004 * rng.normal()))
  })

const group = (factor: number, jac: number, logit: number): DecompositionGroupPoint => {
  const s = (m: number) => ({ mean: m, median: m * 0.97, q25: m * 0.85, q75: m * 1.12 })
  return {
    count: 300,
    logitTermNorm: s(0.6),
    gradNorm: s(1.3),
    samGradNorm: s(1.3 * factor),
    samFactor: s(factor),
    logitFactor: s(logit),
    jacobianFactor: s(jac)
  }
}

const method = (
  label: string,
  peak: number,
  peakEpoch: number,
  final: number,
  memorise: number,
  featureScale: number,
  seed: number,
  withDecomposition: boolean,
  jacobianGain = 0.7
): MethodReport => {
  const epochs = 30
  const rng = new Rng(seed)
  const test = curve(epochs, peak, peakEpoch, final, rng.fork("test"))
  const perEpoch: ReportEpoch[] = test.map((testAcc, i) => {
    const e = i + 1
    const fit = 1 - Math.exp(-e / 6)
    return {
      epoch: e,
      testAcc,
      cleanTrainAcc: Math.min(1, 0.35 + 0.65 * fit),
      noisyTrainAccNoisyLabel: Math.min(1, memorise * Math.max(0, (e - 4) / 26) ** 1.3),
      noisyTrainAccTrueLabel: Math.max(0, 0.3 - 0.25 * fit),
      validationAcc: testAcc * 0.9,
      featureNormSq: featureScale * (4 + e * 1.5),
      headNormSq: (featureScale / 2) * (1.5 + e * 0.12)
    }
  })
  const best = test.indexOf(Math.max(...test))
  const decomposition = withDecomposition
    ? [5, 10, 15, 20, 25, 30].map((epoch) => ({
        epoch,
        clean: group(1 + jacobianGain * (1.3 - epoch / 60), 1 + jacobianGain * (1 - epoch / 70), 1.15 - epoch / 400),
        noisy: group(1 + jacobianGain * (0.2 - epoch / 200), 1 + jacobianGain * 0.07, 1.08 - epoch / 300)
      }))
    : undefined
  return {
    label,
    summary: {
      bestTestAcc: test[best]!,
      bestEpoch: best + 1,
      finalTestAcc: test[epochs - 1]!,
      earlyStopTestAcc: test[Math.min(epochs - 1, best + 1)]!,
      earlyStopEpoch: Math.min(epochs, best + 2),
      cleanTrainAccAtBest: perEpoch[best]!.cleanTrainAcc!,
      noisyTrainAccNoisyLabelAtBest: perEpoch[best]!.noisyTrainAccNoisyLabel!,
      wallSeconds: 600 + seed * 37,
      seeds: [seed, seed + 1]
    },
    perEpoch,
    ...(decomposition ? { decomposition } : {})
  }
}

export const exampleInput = (): ReportInput => ({
  title: "SAM under 30% symmetric label noise: CIFAR-10, MLP 3072-512-512-10",
  subtitle: "Synthetic example data for checking the report layout (not a result)",
  createdAt: "2025-01-01T00:00:00Z",
  config: {
    data: { dataset: "cifar10", trainSize: 10000, noise: { kind: "symmetric", rate: 0.3 } },
    model: { kind: "mlp", hidden: [512, 512] },
    optimizer: { kind: "sgd", lr: 0.01, momentum: 0.9, weightDecay: 5e-4 },
    epochs: 30,
    batchSize: 128,
    rho: 0.2
  },
  methods: {
    erm: method("SGD", 0.42, 5, 0.33, 0.95, 8, 1, true, 0.35),
    sam: method("SAM", 0.453, 22, 0.44, 0.4, 1, 3, true),
    lsam: method("L-SAM", 0.418, 5, 0.35, 0.9, 6, 5, true, 0.4),
    jsam: method("J-SAM", 0.452, 24, 0.436, 0.45, 1.1, 7, true, 0.65),
    jacreg: method("Jacobian regularizer", 0.427, 9, 0.347, 0.8, 3, 9, false)
  },
  notes: [
    "Decomposition measured on 1,000 training examples every 5 epochs, SAM chunks of 128 examples.",
    "Accuracies are fractions of examples, shown in percent."
  ]
})
