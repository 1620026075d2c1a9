import { UsageError } from "./args.js"

const usage = `usage: samlab <command> ...

  run <pipeline.ts> [--preset NAME] [--set key=value ...] [--out DIR] [--concurrency N] [--executor in-process|child]
      --executor queue --store postgres://... [--queue redis://...] [--run NAME] [--attempts N]   cells on workers, results in PostgreSQL
  worker --store postgres://... [--queue redis://...] [--lease-seconds S]   pull cells from the queue and run them
  status <run> --store postgres://...    each cell of a queued run: pending, running (worker, epoch), done, failed (why)
  list <pipeline.ts>                     steps, presets and the config with its defaults
  backends                               which tfjs backends are present and which would be picked
  conformance <fixture.json>             run a golden SAM-family fixture, print {lossBeforeEachStep, layersAfterEachStep}
  bench [--json] [--backend NAME]        step time of each method on the reference MLP and CNN
  data summary --dataset cifar10 --dir DIR --noise none|symmetric|symmetric-all|asymmetric --rate R --seed S [--records official|any]
`

type Command = (argv: readonly string[]) => Promise<number>

/** Each command loads only what it uses (`samlab backends` need not load the optimizers). */
const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.js")).runCommand,
  list: async () => (await import("./commands/run.js")).listCommand,
  backends: async () => (await import("./commands/backends.js")).backendsCommand,
  conformance: async () => (await import("./commands/conformance.js")).conformanceCommand,
  bench: async () => (await import("./commands/bench.js")).benchCommand,
  data: async () => (await import("./commands/data.js")).dataCommand,
  worker: async () => (await import("./commands/distributed.js")).workerCommand,
  status: async () => (await import("./commands/distributed.js")).statusCommand
}

/** Runs one command; returns the exit code. Errors are printed as one clear message, not a stack. */
export const main = async (argv: readonly string[]): Promise<number> => {
  const [name, ...rest] = argv
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage)
    return name ? 0 : 2
  }
  const load = commands[name]
  if (!load) {
    process.stderr.write(`samlab: unknown command "${name}"\n\n${usage}`)
    return 2
  }
  try {
    return await (await load())(rest)
  } catch (e) {
    process.stderr.write(`samlab ${name}: ${e instanceof Error ? e.message : String(e)}\n`)
    if (e instanceof UsageError) process.stderr.write(`\n${usage}`)
    else if (process.env["SAMLAB_DEBUG"] && e instanceof Error) process.stderr.write(`${e.stack}\n`)
    return e instanceof UsageError ? 2 : 1
  }
}
