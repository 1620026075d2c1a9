import { describe, expect, it } from "vitest"
import { makeEventProgress, makeProgress, relayProgress } from "../src/index.js"
import { formatDuration, progressBar } from "../src/services/progress.js"

const clockAndSink = (isTTY: boolean) => {
  let t = 0
  const written: string[] = []
  const progress = makeProgress({ write: (s) => written.push(s), isTTY }, () => t, 2000)
  return { progress, written, advance: (ms: number) => (t += ms) }
}

describe("progress", () => {
  it("redraws a bar with an ETA in place on a terminal", () => {
    const { progress, written, advance } = clockAndSink(true)
    const task = progress.start("train sam", 4)
    expect(written.at(-1)).toBe("\r\x1b[K[--------------------] train sam 0/4 (0%) elapsed 0s eta ?\n")
    advance(10_000)
    task.tick("acc 0.41")
    expect(written.at(-1)).toBe("\x1b[1A\r\x1b[J[#####---------------] train sam 1/4 (25%) elapsed 10s eta 30s acc 0.41\n")
    advance(10_000)
    task.tick()
    expect(written.at(-1)).toBe("\x1b[1A\r\x1b[J[##########----------] train sam 2/4 (50%) elapsed 20s eta 20s\n")
    task.done()
    expect(written.at(-1)).toBe("\x1b[1A\r\x1b[Jtrain sam done in 20s\n")
  })

  it("keeps one line per running task on a terminal, with log lines printed above them", () => {
    const { progress, written, advance } = clockAndSink(true)
    const a = progress.start("cell 0", 2)
    const b = progress.start("cell 1", 2)
    advance(1000)
    a.tick()
    // two task lines were drawn: go up two, clear, draw both again
    expect(written.at(-1)).toBe(
      "\x1b[2A\r\x1b[J[##########----------] cell 0 1/2 (50%) elapsed 1s eta 1s\n[--------------------] cell 1 0/2 (0%) elapsed 1s eta ?\n"
    )
    progress.log("a warning")
    expect(written.at(-1)!.startsWith("\x1b[2A\r\x1b[Ja warning\n[###")).toBe(true)
    a.done()
    expect(written.at(-1)).toBe("\x1b[2A\r\x1b[Jcell 0 done in 1s\n[--------------------] cell 1 0/2 (0%) elapsed 1s eta ?\n")
    b.tick()
    expect(written.at(-1)!.startsWith("\x1b[1A\r\x1b[J[##########")).toBe(true)
  })

  it("cuts task lines to the terminal's width so that each stays one row", () => {
    const written: string[] = []
    const task = makeProgress({ write: (s) => written.push(s), isTTY: true, columns: 30 }, () => 0).start("a very long label for a cell", 3)
    task.tick()
    const rows = written.at(-1)!.split("\n").filter(Boolean)
    expect(rows).toHaveLength(1)
    const visible = rows[0]!.split("\r").at(-1)!.replace("\x1b[J", "")
    expect(visible.length).toBeLessThan(30)
    expect(visible.endsWith("…")).toBe(true)
  })

  it("bars fill in proportion", () => {
    expect([progressBar(0, 4), progressBar(3, 4), progressBar(9, 4), progressBar(0, 0)]).toEqual([
      "[--------------------]",
      "[###############-----]",
      "[####################]",
      "[####################]"
    ])
  })

  it("relays a child's progress events as the parent's own tasks, labelled by cell", () => {
    const { progress, written } = clockAndSink(true)
    const relay = relayProgress(progress)
    const childLines: string[] = []
    const child = makeEventProgress((l) => childLines.push(l))
    const t = child.start("train sam", 3)
    t.tick("acc 0.4")
    child.log("hello")
    for (const l of childLines.join("").split("\n").filter(Boolean)) relay(l, "cell-7")
    relay("a plain line", "cell-7")
    expect(written.some((w) => w.includes("[###") && w.includes("[cell-7] train sam 1/3 (33%)") && w.includes("acc 0.4"))).toBe(true)
    expect(written.some((w) => w.includes("[cell-7] hello\n"))).toBe(true)
    expect(written.at(-1)!).toContain("[cell-7] a plain line\n")
    childLines.length = 0
    t.done("best 0.4")
    for (const l of childLines.join("").split("\n").filter(Boolean)) relay(l, "cell-7")
    expect(written.at(-1)).toBe("\x1b[1A\r\x1b[J[cell-7] train sam done in 0s best 0.4\n")
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
