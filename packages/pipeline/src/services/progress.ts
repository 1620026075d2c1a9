import { Context, Layer } from "effect"

/** One long task: `tick` after each unit of work (an epoch, a batch), with an optional note. */
export interface ProgressTask {
  readonly tick: (note?: string) => void
  readonly done: (note?: string) => void
}

export interface ProgressShape {
  readonly start: (label: string, total: number) => ProgressTask
  readonly log: (line: string) => void
}

/** Progress reporting: live bars with ETA on a terminal (one line per running task), plain log lines otherwise. */
export class Progress extends Context.Service<Progress, ProgressShape>()("@samlab/pipeline/Progress") {}

export const formatDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return "?"
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`
}

interface Sink {
  readonly write: (text: string) => void
  readonly isTTY: boolean
  /** The terminal's width: task lines are cut to it, so each stays one row and redraws land in place. */
  readonly columns?: number
}

const barWidth = 20

/** `[#####---------------]`: the done share of `barWidth` cells. */
export const progressBar = (count: number, total: number): string => {
  const filled = total > 0 ? Math.round((barWidth * Math.min(count, total)) / total) : barWidth
  return `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]`
}

interface TaskLine {
  readonly label: string
  readonly total: number
  readonly started: number
  count: number
  note: string | undefined
}

/**
 * `now` is injectable so tests can drive the clock. On a terminal every running task keeps one
 * line with a bar at the bottom (redrawn in place; log lines print above them), so concurrent
 * cells never take turns on one line. Elsewhere each task logs a line at most every
 * `minLogIntervalMs`, and always its last.
 */
export const makeProgress = (sink: Sink, now: () => number = () => Date.now(), minLogIntervalMs = 2000): ProgressShape => {
  const running: TaskLine[] = []
  let drawn = 0
  const text = (t: TaskLine) => {
    const elapsed = (now() - t.started) / 1000
    const eta = t.count > 0 ? (elapsed / t.count) * (t.total - t.count) : Number.NaN
    const pct = t.total > 0 ? Math.floor((100 * t.count) / t.total) : 100
    return `${t.label} ${t.count}/${t.total} (${pct}%) elapsed ${formatDuration(elapsed)} eta ${formatDuration(eta)}${t.note ? ` ${t.note}` : ""}`
  }
  /** Erases the drawn task lines (cursor to their first line), writes `above`, then draws every running task. */
  const redraw = (above = "") => {
    const erase = drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : "\r\x1b[K"
    const fit = (line: string) => (sink.columns && line.length >= sink.columns ? `${line.slice(0, Math.max(1, sink.columns - 2))}…` : line)
    sink.write(`${erase}${above}${running.map((t) => `${fit(`${progressBar(t.count, t.total)} ${text(t)}`)}\n`).join("")}`)
    drawn = running.length
  }
  return {
    log: (line) => (sink.isTTY ? redraw(`${line}\n`) : sink.write(`${line}\n`)),
    start: (label, total) => {
      const task: TaskLine = { label, total, started: now(), count: 0, note: undefined }
      let lastLog = -Infinity
      if (sink.isTTY) {
        running.push(task)
        redraw()
      }
      return {
        tick: (note) => {
          task.count = Math.min(total, task.count + 1)
          task.note = note
          if (sink.isTTY) redraw()
          else if (now() - lastLog >= minLogIntervalMs || task.count === total) {
            lastLog = now()
            sink.write(`${text(task)}\n`)
          }
        },
        done: (note) => {
          const line = `${label} done in ${formatDuration((now() - task.started) / 1000)}${note ? ` ${note}` : ""}\n`
          if (!sink.isTTY) return sink.write(line)
          const i = running.indexOf(task)
          if (i >= 0) running.splice(i, 1)
          redraw(line)
        }
      }
    }
  }
}

/** Progress on stderr: bars when it is a terminal, log lines otherwise. */
export const StderrProgress = Layer.sync(Progress, () => stderrProgress())

/** The progress `StderrProgress` provides, for callers that also relay children's progress into it. */
export const stderrProgress = (): ProgressShape =>
  makeProgress({
    write: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {})
  })

export const SilentProgress = Layer.succeed(Progress, { start: () => ({ tick: () => {}, done: () => {} }), log: () => {} })

// ---- progress across processes: a child reports events, the parent draws them ----

const eventPrefix = "samlab-progress "

type ProgressEvent =
  | { readonly e: "start"; readonly id: number; readonly label: string; readonly total: number }
  | { readonly e: "tick" | "done"; readonly id: number; readonly note?: string }
  | { readonly e: "log"; readonly line: string }

/** Progress that writes one machine-readable event per line (`samlab-progress {...}`), for a parent process to draw. */
export const makeEventProgress = (write: (line: string) => void): ProgressShape => {
  let next = 0
  const emit = (event: ProgressEvent) => write(`${eventPrefix}${JSON.stringify(event)}\n`)
  return {
    log: (line) => emit({ e: "log", line }),
    start: (label, total) => {
      const id = next++
      emit({ e: "start", id, label, total })
      return { tick: (note) => emit({ e: "tick", id, ...(note ? { note } : {}) }), done: (note) => emit({ e: "done", id, ...(note ? { note } : {}) }) }
    }
  }
}

/** The event form of `StderrProgress`, for a child process whose parent relays its progress. */
export const EventProgress = Layer.sync(Progress, () => makeEventProgress((t) => process.stderr.write(t)))

const parseEvent = (line: string): ProgressEvent | undefined => {
  if (!line.startsWith(eventPrefix)) return undefined
  try {
    return JSON.parse(line.slice(eventPrefix.length)) as ProgressEvent
  } catch {
    return undefined
  }
}

/**
 * A sink for a child's output lines: progress events become tasks of `progress` (labelled with
 * `source`, e.g. the cell), any other line is logged as `[source] line`.
 */
export const relayProgress = (progress: ProgressShape): ((line: string, source: string) => void) => {
  const tasks = new Map<string, ProgressTask>()
  return (line, source) => {
    const event = parseEvent(line)
    if (event === undefined) return progress.log(`[${source}] ${line}`)
    if (event.e === "log") return progress.log(`[${source}] ${event.line}`)
    const key = `${source}#${event.id}`
    if (event.e === "start") return void tasks.set(key, progress.start(`[${source}] ${event.label}`, event.total))
    const task = tasks.get(key)
    if (event.e === "tick") task?.tick(event.note)
    else {
      task?.done(event.note)
      tasks.delete(key)
    }
  }
}
