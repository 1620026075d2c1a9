import { dataSummary } from "@samlab/data-noisy-cifar"
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { commandFailure } from "../errors.js"

const noiseKinds = ["none", "symmetric", "symmetric-all", "asymmetric"] as const

/** `samlab data summary`: counts, the realised noise rate and the transition matrix, as one JSON object. */
const summary = Command.make(
  "summary",
  {
    dataset: Flag.Literals("dataset", ["cifar10", "cifar100"]).pipe(Flag.withDefault("cifar10"), Flag.withDescription("which dataset's binary files")),
    dir: Flag.String("dir").pipe(Flag.optional, Flag.withDescription("folder of the binary files (else CIFAR10_DIR, the cache, or a download)")),
    noise: Flag.Literals("noise", noiseKinds).pipe(Flag.withDefault("none"), Flag.withDescription("label noise applied to the training split")),
    rate: Flag.Finite("rate").pipe(Flag.withDefault(0), Flag.withDescription("noise rate in [0, 1]")),
    seed: Flag.Int("seed").pipe(Flag.withDefault(0), Flag.withDescription("seed of the noise")),
    // official record counts unless the user asks for any (their own files in CIFAR's format)
    records: Flag.Literals("records", ["official", "any"]).pipe(
      Flag.withDefault("official"),
      Flag.withDescription("require the official record count of each file, or accept any whole number of records")
    )
  },
  (o) =>
    Effect.tryPromise({
      try: async () => {
        const s = await dataSummary({
          expectedRecords: o.records,
          dataset: o.dataset,
          dir: o.dir._tag === "Some" ? o.dir.value : undefined,
          noise: o.noise,
          rate: o.rate,
          seed: o.seed
        })
        process.stdout.write(`${JSON.stringify(s)}\n`)
      },
      catch: commandFailure("data summary")
    })
).pipe(Command.withDescription("counts per class, the realised noise rate and the noise transition matrix of a dataset on disk, as JSON"))

export const dataCli = Command.make("data").pipe(Command.withDescription("inspect datasets"), Command.withSubcommands([summary]))
