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

/** Progress reporting: a live bar with ETA on a terminal, plain log lines otherwise. */
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
}

/** `now` is injectable so tests can drive the clock. */
export const makeProgress = (sink: Sink, now: () => number = () => Date.now(), minLogIntervalMs = 2000): ProgressShape => ({
  log: (line) => sink.write(`${sink.isTTY ? "\r\x1b[K" : ""}${line}\n`),
  start: (label, total) => {
    const started = now()
    let count = 0
    let lastLog = -Infinity
    const line = (note?: string) => {
      const elapsed = (now() - started) / 1000
      const eta = count > 0 ? (elapsed / count) * (total - count) : Number.NaN
      const pct = total > 0 ? Math.floor((100 * count) / total) : 100
      return `${label} ${count}/${total} (${pct}%) elapsed ${formatDuration(elapsed)} eta ${formatDuration(eta)}${note ? ` ${note}` : ""}`
    }
    return {
      tick: (note) => {
        count = Math.min(total, count + 1)
        if (sink.isTTY) sink.write(`\r\x1b[K${line(note)}`)
        else if (now() - lastLog >= minLogIntervalMs || count === total) {
          lastLog = now()
          sink.write(`${line(note)}\n`)
        }
      },
      done: (note) => {
        const elapsed = formatDuration((now() - started) / 1000)
        sink.write(`${sink.isTTY ? "\r\x1b[K" : ""}${label} done in ${elapsed}${note ? ` ${note}` : ""}\n`)
      }
    }
  }
})

/** Progress on stderr: a bar when it is a terminal, log lines otherwise. */
export const StderrProgress = Layer.sync(Progress, () => makeProgress({ write: (t) => process.stderr.write(t), isTTY: Boolean(process.stderr.isTTY) }))

export const SilentProgress = Layer.succeed(Progress, { start: () => ({ tick: () => {}, done: () => {} }), log: () => {} })
