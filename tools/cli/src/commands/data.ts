import { dataSummary } from "@samlab/data-noisy-cifar"
import { UsageError, numberOption, parseArgs, rejectUnknown, single } from "../args.js"

const noiseKinds = ["none", "symmetric", "symmetric-all", "asymmetric"] as const
type NoiseKind = (typeof noiseKinds)[number]

/** `samlab data summary --dataset cifar10 --dir DIR --noise KIND --rate R --seed S [--records official|any]`: one JSON object. */
export const dataCommand = async (argv: readonly string[]): Promise<number> => {
  const [sub, ...rest] = argv
  if (sub !== "summary") throw new UsageError(`unknown data command "${sub ?? ""}" (expected: summary)`)
  const args = parseArgs(rest)
  rejectUnknown(args, ["dataset", "dir", "noise", "rate", "seed", "records"])
  const dataset = single(args, "dataset") ?? "cifar10"
  if (dataset !== "cifar10" && dataset !== "cifar100") throw new UsageError(`--dataset must be cifar10 or cifar100, got "${dataset}"`)
  const noise = single(args, "noise") ?? "none"
  if (!(noiseKinds as readonly string[]).includes(noise)) throw new UsageError(`--noise must be one of ${noiseKinds.join(", ")}, got "${noise}"`)
  // official record counts unless the user asks for any (their own files in CIFAR's format)
  const records = single(args, "records") ?? "official"
  if (records !== "official" && records !== "any") throw new UsageError(`--records must be official or any, got "${records}"`)
  const summary = await dataSummary({
    expectedRecords: records,
    dataset,
    dir: single(args, "dir"),
    noise: noise as NoiseKind,
    rate: numberOption(args, "rate") ?? 0,
    seed: numberOption(args, "seed") ?? 0
  })
  process.stdout.write(`${JSON.stringify(summary)}\n`)
  return 0
}
