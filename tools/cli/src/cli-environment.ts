import { Console, Effect, FileSystem, Layer, Path, Sink, Stdio, Stream, Terminal } from "effect"
import { CliOutput } from "effect/cli"
import { ChildProcessSpawner } from "effect/process"

/**
 * What effect/cli needs from the platform, for Node 20 (`@effect/platform-node` requires
 * Node 22): the arguments, stdout and stderr, the terminal's size. The CLI reads no files
 * through effect/cli and spawns nothing through it, so those services refuse.
 */
export const nodeCliEnvironment = (argv: readonly string[]) => {
  const sink = (stream: NodeJS.WriteStream) => Sink.forEach((chunk: string | Uint8Array) => Effect.sync(() => void stream.write(chunk)))
  return Layer.mergeAll(
    Layer.succeed(
      Stdio.Stdio,
      Stdio.make({
        args: Effect.succeed(argv),
        stdout: () => sink(process.stdout),
        stderr: () => sink(process.stderr),
        stdin: Stream.empty,
        stdoutIsTerminal: Effect.sync(() => Boolean(process.stdout.isTTY)),
        stderrIsTerminal: Effect.sync(() => Boolean(process.stderr.isTTY))
      })
    ),
    Layer.succeed(
      Terminal.Terminal,
      Terminal.make({
        columns: Effect.sync(() => process.stdout.columns ?? 100),
        rows: Effect.sync(() => process.stdout.rows ?? 40),
        size: Effect.die("samlab: terminal size events are not used"),
        readInput: Effect.die("samlab: interactive input is not used"),
        readLine: Effect.die("samlab: interactive input is not used"),
        display: (text) => Effect.sync(() => void process.stdout.write(text))
      })
    ),
    FileSystem.layerNoop({}),
    Path.layer,
    Layer.succeed(
      ChildProcessSpawner.ChildProcessSpawner,
      ChildProcessSpawner.make(() => Effect.die("samlab: effect/cli spawns no process"))
    ),
    // A wrong command line prints its help with the error on stderr, so stdout stays the command's output.
    CliOutput.layerPresenter({
      present: (event) =>
        event._tag === "InvalidInvocation"
          ? Effect.gen(function* () {
              const formatter = yield* CliOutput.Formatter
              yield* Console.error(formatter.formatHelpDoc(event.helpDoc))
              yield* Console.error(formatter.formatErrors(event.errors))
            })
          : CliOutput.defaultPresenter.present(event)
    })
  )
}
