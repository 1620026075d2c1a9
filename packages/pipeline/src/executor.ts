import { spawn } from "node:child_process"
import { Effect } from "effect"
import { ExecutorError } from "./errors.js"
import type { Cell } from "./step.js"

/**
 * Runs the cells of a matrix. The runner hands it one effect per cell that evaluates
 * that cell in this process; an executor may run that effect, or have the cell computed
 * elsewhere (a child process, later a cluster) into the shared results store, after which
 * the runner reads the stored outputs. Pipelines never see which.
 */
export interface Executor {
  readonly name: string
  readonly runCells: <E, R>(
    cells: readonly Cell[],
    runInProcess: (cell: Cell) => Effect.Effect<void, E, R>,
    concurrency: number
  ) => Effect.Effect<void, E | ExecutorError, R>
}

export const inProcessExecutor: Executor = {
  name: "in-process",
  runCells: (cells, runInProcess, concurrency) => Effect.forEach(cells, runInProcess, { concurrency, discard: true })
}

export interface ChildCommand {
  readonly command: string
  readonly args: readonly string[]
  readonly env?: Readonly<Record<string, string>>
}

/** What a child process printed, one line at a time, with the cell it computes. */
export type ChildOutput = (line: string, cell: Cell) => void

const runChild = (cell: Cell, cmd: ChildCommand, onOutput: ChildOutput) =>
  Effect.callback<void, ExecutorError>((resume) => {
    const child = spawn(cmd.command, [...cmd.args], { env: { ...process.env, ...cmd.env }, stdio: ["ignore", "pipe", "pipe"] })
    let tail = ""
    const forward = (chunk: Buffer) => {
      const text = chunk.toString("utf8")
      tail = (tail + text).slice(-4000)
      for (const line of text.split("\n")) if (line.trim()) onOutput(line, cell)
    }
    child.stdout.on("data", forward)
    child.stderr.on("data", forward)
    child.on("error", (e) => resume(Effect.fail(new ExecutorError({ cell: cell.id, reason: e.message }))))
    child.on("close", (code, signal) =>
      resume(
        code === 0
          ? Effect.void
          : Effect.fail(
              new ExecutorError({ cell: cell.id, reason: `child exited with ${signal ?? `code ${code}`}: ${tail.trim().split("\n").slice(-5).join(" | ")}` })
            )
      )
    )
    // interrupted (the run was stopped): ask the child to stop, and wait until it has
    return Effect.callback<void>((stopped) => {
      if (child.exitCode !== null || child.signalCode !== null) return stopped(Effect.void)
      const force = setTimeout(() => child.kill("SIGKILL"), 10_000)
      child.once("close", () => {
        clearTimeout(force)
        stopped(Effect.void)
      })
      child.kill("SIGTERM")
    })
  })

/**
 * Runs each cell in its own child process (true parallelism for CPU-bound training);
 * `commandFor` says how to start a process that computes one cell into the same store;
 * `onOutput` gets what the children print (by default: to stderr, each line tagged with its cell;
 * `relayProgress` draws children's progress events as the parent's own bars).
 */
export const childProcessExecutor = (
  commandFor: (cell: Cell) => ChildCommand,
  onOutput: ChildOutput = (line, cell) => process.stderr.write(`[${cell.id}] ${line}\n`)
): Executor => ({
  name: "child-process",
  runCells: (cells, _runInProcess, concurrency) => Effect.forEach(cells, (cell) => runChild(cell, commandFor(cell), onOutput), { concurrency, discard: true })
})
