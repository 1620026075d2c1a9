import { describe, expect, it } from "vitest"
import { formatDuration, makeProgress } from "../src/index.js"

const clockAndSink = (isTTY: boolean) => {
  let t = 0
  const written: string[] = []
  const progress = makeProgress({ write: (s) => written.push(s), isTTY }, () => t, 2000)
  return { progress, written, advance: (ms: number) => (t += ms) }
}

describe("progress", () => {
  it("redraws one line with an ETA on a terminal", () => {
    const { progress, written, advance } = clockAndSink(true)
    const task = progress.start("train sam", 4)
    advance(10_000)
    task.tick("acc 0.41")
    expect(written.at(-1)).toBe("\r\x1b[Ktrain sam 1/4 (25%) elapsed 10s eta 30s acc 0.41")
    advance(10_000)
    task.tick()
    expect(written.at(-1)).toBe("\r\x1b[Ktrain sam 2/4 (50%) elapsed 20s eta 20s")
    task.done()
    expect(written.at(-1)).toBe("\r\x1b[Ktrain sam done in 20s\n")
  })

  it("writes plain lines, at most one per interval, and always the last, when not on a terminal", () => {
    const { progress, written, advance } = clockAndSink(false)
    const task = progress.start("epochs", 3)
    advance(100)
    task.tick()
    advance(100)
    task.tick() // within 2 s of the last line: not logged
    advance(100)
    task.tick()
    expect(written).toEqual(["epochs 1/3 (33%) elapsed 0s eta 0s\n", "epochs 3/3 (100%) elapsed 0s eta 0s\n"])
    expect(written.every((l) => !l.includes("\r"))).toBe(true)
  })

  it("formats durations", () => {
    expect(formatDuration(59.4)).toBe("59s")
    expect(formatDuration(61)).toBe("1m01s")
    expect(formatDuration(3725)).toBe("1h02m")
    expect(formatDuration(Number.NaN)).toBe("?")
  })
})
