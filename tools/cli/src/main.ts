import { readFileSync } from "node:fs"
import { Cause, Effect, Exit } from "effect"
import { Command } from "effect/cli"
import { nodeCliEnvironment } from "./cli-environment.js"
import { backendsCli } from "./commands/backends.js"
import { benchCli } from "./commands/bench.js"
import { conformanceCli } from "./commands/conformance.js"
import { dataCli } from "./commands/data.js"
import { statusCli, workerCli } from "./commands/distributed.js"
import { listCli, runCli } from "./commands/run.js"
import { CommandFailed } from "./errors.js"

const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version

export const samlab = Command.make("samlab").pipe(
  Command.withDescription("sharpness-aware training under label noise: run pipelines, pick backends, benchmark, check conformance"),
  Command.withSubcommands([runCli, listCli, workerCli, statusCli, backendsCli, conformanceCli, benchCli, dataCli])
)

/**
 * Exit codes: 0 done (also `--help`, `--version`, `--completions <shell>`); 1 the command ran
 * and failed (one line on stderr names the command and the cause; SAMLAB_DEBUG=1 adds the
 * whole cause); 2 the command line is wrong (unknown command or option, a missing or invalid
 * value: the help of the command is printed with the error).
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const

/** Runs the command line; returns the exit code. */
export const main = async (argv: readonly string[]): Promise<number> => {
  const program = Command.runWith(samlab, { version })(argv).pipe(Effect.provide(nodeCliEnvironment(argv)))
  const exit = await Effect.runPromiseExit(program)
  if (Exit.isSuccess(exit)) return exitCodes.ok
  const failure = Cause.findErrorOption(exit.cause)
  if (failure._tag === "Some" && failure.value instanceof CommandFailed) {
    process.stderr.write(`samlab ${failure.value.command}: ${failure.value.message}\n`)
    if (process.env["SAMLAB_DEBUG"]) process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
    return exitCodes.failed
  }
  if (failure._tag === "Some") {
    const tag = (failure.value as { _tag?: string })._tag
    // effect/cli has printed the help with the error; a bare `samlab` asks for a command too
    return tag === "ShowHelp" && argv.length > 0 && (failure.value as { errors?: unknown[] }).errors?.length === 0 ? exitCodes.ok : exitCodes.usage
  }
  process.stderr.write(`samlab: ${Cause.pretty(exit.cause)}\n`)
  return exitCodes.failed
}
