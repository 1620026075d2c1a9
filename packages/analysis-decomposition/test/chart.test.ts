import { describe, expect, it } from "vitest"
import { lineChart } from "../src/index.js"
import { chartLayout } from "../src/report/svg/line-chart.js"
import { formatTick, niceLinear, niceLog } from "../src/report/svg/scale.js"
import { findAll, hasClass, parseXml, textOf } from "./xml.js"

/** The path's points, [x, y] pairs, per M-started run. */
const runs = (d: string): number[][][] =>
  d
    .split("M")
    .filter((s) => s.length > 0)
    .map((run) => run.split("L").map((p) => p.split(",").map(Number)))

describe("nice scales", () => {
  it("linear domains snap to 1/2/5 steps around the data", () => {
    expect(niceLinear(0.13, 0.87)).toEqual({ domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] })
    expect(niceLinear(3, 47, 5)).toEqual({ domain: [0, 50], ticks: [0, 10, 20, 30, 40, 50] })
    expect(niceLinear(0.3, 0.3).ticks.length).toBeGreaterThan(1)
  })
  it("log domains cover whole decades", () => {
    expect(niceLog(3, 400)).toEqual({ domain: [1, 1000], ticks: [1, 10, 100, 1000] })
    expect(niceLog(2, 30)).toEqual({ domain: [1, 100], ticks: [1, 2, 5, 10, 20, 50, 100] })
  })
  it("tick labels", () => {
    expect([formatTick(0), formatTick(0.2), formatTick(1234.5678), formatTick(2e6), formatTick(0.0001)]).toEqual(["0", "0.2", "1235", "2e6", "1e-4"])
  })
})

describe("lineChart", () => {
  const series = [
    { name: "SGD", color: "#1f77b4", points: [0, 2.5, 5, 7.5, 10].map((x) => ({ x, y: x / 10 })) },
    {
      name: 'SAM <&> "quoted"',
      color: "#d62728",
      dash: "dashed" as const,
      points: [
        { x: 0, y: 0.5 },
        { x: 5, y: Number.NaN },
        { x: 10, y: 0.75 }
      ]
    }
  ]
  const svg = lineChart({ title: "Accuracy & more", xLabel: "epoch", yLabel: "accuracy", series, xDomain: [0, 10], yDomain: [0, 1] })
  const doc = parseXml(svg)

  it("is well-formed SVG with title, axis labels, one group per series and a legend entry each", () => {
    expect(doc.name).toBe("svg")
    expect(doc.attrs["xmlns"]).toBe("http://www.w3.org/2000/svg")
    expect(textOf(findAll(doc, hasClass("chart-title"))[0]!)).toBe("Accuracy & more")
    expect(textOf(findAll(doc, hasClass("x-label"))[0]!)).toBe("epoch")
    expect(textOf(findAll(doc, hasClass("y-label"))[0]!)).toBe("accuracy")
    const groups = findAll(doc, hasClass("series"))
    expect(groups.map((g) => g.attrs["data-series"])).toEqual(["SGD", 'SAM <&> "quoted"'])
    expect(findAll(doc, hasClass("legend-entry")).map((e) => textOf(e).trim())).toEqual(["SGD", 'SAM <&> "quoted"'])
    expect(findAll(groups[1]!, (e) => e.name === "path")[0]!.attrs["stroke-dasharray"]).toBe("7 4")
  })

  it("maps data to pixels: x from the left edge, y from the bottom of the plot", () => {
    const plot = findAll(doc, hasClass("plot"))[0]!
    const width = 640 - chartLayout.marginLeft - chartLayout.marginRight
    expect(plot.attrs["data-plot"]).toBe(`${chartLayout.marginLeft} ${chartLayout.marginTop} ${width} 300`)
    const px = (x: number) => chartLayout.marginLeft + (x / 10) * width
    const py = (y: number) => chartLayout.marginTop + 300 * (1 - y)
    const sgd = runs(findAll(findAll(doc, hasClass("series"))[0]!, (e) => e.name === "path")[0]!.attrs["d"]!)
    expect(sgd).toHaveLength(1)
    sgd[0]!.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(px(i * 2.5), 1)
      expect(y).toBeCloseTo(py(i / 4), 1)
    })
    // The NaN point breaks the second series into two runs of one point each.
    const sam = runs(findAll(findAll(doc, hasClass("series"))[1]!, (e) => e.name === "path")[0]!.attrs["d"]!)
    expect(sam.map((r) => r.length)).toEqual([1, 1])
    expect(sam[1]![0]![0]).toBeCloseTo(px(10), 1)
    expect(sam[1]![0]![1]).toBeCloseTo(py(0.75), 1)
    // Tick labels sit at their values.
    for (const t of findAll(findAll(doc, hasClass("y-axis"))[0]!, hasClass("tick-label"))) {
      expect(Number(t.attrs["y"])).toBeCloseTo(py(Number(t.attrs["data-value"])), 1)
      expect(textOf(t)).toBe(formatTick(Number(t.attrs["data-value"])))
    }
    expect(findAll(findAll(doc, hasClass("x-axis"))[0]!, hasClass("tick-label")).map((t) => textOf(t))).toEqual(["0", "2", "4", "6", "8", "10"])
  })

  it("auto domains contain the data; log scale puts each decade at equal spacing", () => {
    const log = parseXml(
      lineChart({
        title: "norms",
        xLabel: "epoch",
        yLabel: "norm",
        yScale: "log",
        xIntegers: true,
        series: [
          {
            name: "a",
            color: "#000",
            points: [
              { x: 1, y: 3 },
              { x: 2, y: 30 },
              { x: 3, y: 300 }
            ]
          }
        ]
      })
    )
    const plot = findAll(log, hasClass("plot"))[0]!
    expect(plot.attrs["data-y-domain"]).toBe("1 1000")
    const [, top, , height] = plot.attrs["data-plot"]!.split(" ").map(Number) as [number, number, number, number]
    const pts = runs(findAll(log, (e) => e.name === "path")[0]!.attrs["d"]!)[0]!
    const expectedY = (v: number) => top! + height! * (1 - Math.log10(v) / 3)
    pts.forEach(([, y], i) => expect(y).toBeCloseTo(expectedY(3 * 10 ** i), 1))
    const xTicks = findAll(findAll(log, hasClass("x-axis"))[0]!, hasClass("tick-label")).map((t) => Number(t.attrs["data-value"]))
    expect(xTicks.every(Number.isInteger)).toBe(true)
  })

  it("the legend grows with the entries and the height follows", () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `method ${i}`, color: "#333", points: [{ x: 0, y: i }] }))
    const a = parseXml(lineChart({ title: "t", xLabel: "x", yLabel: "y", series: many }))
    const b = parseXml(lineChart({ title: "t", xLabel: "x", yLabel: "y", series: many.slice(0, 2) }))
    expect(findAll(a, hasClass("legend-entry"))).toHaveLength(12)
    expect(Number(a.attrs["height"])).toBeGreaterThan(Number(b.attrs["height"]))
    // Every legend entry lies inside the drawing.
    for (const t of findAll(a, (e) => e.name === "text")) expect(Number(t.attrs["y"] ?? 0)).toBeLessThan(Number(a.attrs["height"]))
  })
})

describe("lineChart extras", () => {
  const points = [1, 2, 3, 4].map((x) => ({ x, y: x / 10 }))
  const band = [1, 2, 3, 4].map((x) => ({ x, lo: x / 10 - 0.05, hi: x / 10 + 0.1 }))
  const svg = lineChart({
    title: "‖W_{head}‖²_{F}",
    xLabel: "epoch",
    yLabel: "x^{2}",
    series: [{ name: "SAM", color: "#D55E00", marker: "square", points, band }],
    xDomain: [1, 4],
    yDomain: [0, 1],
    xIntegers: true
  })
  const doc = parseXml(svg)
  const width = 640 - chartLayout.marginLeft - chartLayout.marginRight
  const px = (x: number) => chartLayout.marginLeft + ((x - 1) / 3) * width
  const py = (y: number) => chartLayout.marginTop + 300 * (1 - y)

  it("shades a band from the low edge to the high edge, behind the lines", () => {
    const bands = findAll(doc, hasClass("band"))
    expect(bands).toHaveLength(1)
    const [outline] = runs(bands[0]!.attrs["d"]!.replace("Z", ""))
    const expected = [...band.map((b) => [px(b.x), py(b.hi)]), ...[...band].reverse().map((b) => [px(b.x), py(b.lo)])]
    expect(outline).toHaveLength(expected.length)
    outline!.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(expected[i]![0]!, 1)
      expect(y).toBeCloseTo(expected[i]![1]!, 1)
    })
    expect(svg.indexOf('class="band"')).toBeLessThan(svg.indexOf('class="series"'))
  })

  it("draws the series' marker shape at its points and in the legend", () => {
    const series = findAll(doc, hasClass("series"))[0]!
    expect(findAll(series, (e) => e.name === "rect")).toHaveLength(4)
    expect(findAll(series, (e) => e.name === "circle")).toHaveLength(0)
    expect(findAll(findAll(doc, hasClass("legend-entry"))[0]!, (e) => e.name === "rect")).toHaveLength(1)
  })

  it("renders _{sub} and ^{sup} as sub- and superscripts, plain in the title element", () => {
    const title = findAll(doc, hasClass("chart-title"))[0]!
    const spans = findAll(title, (e) => e.name === "tspan")
    expect(spans.map((s) => [s.attrs["baseline-shift"], textOf(s)])).toEqual([
      ["sub", "head"],
      ["sub", "F"]
    ])
    expect(textOf(findAll(doc, (e) => e.name === "title")[0]!)).toBe("‖Whead‖²F")
    expect(svg).not.toContain("_{")
    expect(findAll(findAll(doc, hasClass("y-label"))[0]!, (e) => e.name === "tspan")[0]!.attrs["baseline-shift"]).toBe("super")
  })

  it("puts integer ticks on multiples of the step inside the domain", () => {
    const ticks = (from: number, to: number) =>
      findAll(
        findAll(
          parseXml(
            lineChart({
              title: "t",
              xLabel: "epoch",
              yLabel: "y",
              series: [
                {
                  name: "a",
                  color: "#000",
                  points: [
                    { x: from, y: 0 },
                    { x: to, y: 1 }
                  ]
                }
              ],
              xDomain: [from, to],
              xIntegers: true
            })
          ),
          hasClass("x-axis")
        )[0]!,
        hasClass("tick-label")
      ).map((t) => Number(t.attrs["data-value"]))
    expect(ticks(1, 30)).toEqual([5, 10, 15, 20, 25, 30])
    expect(ticks(1, 4)).toEqual([1, 2, 3, 4])
  })
})
