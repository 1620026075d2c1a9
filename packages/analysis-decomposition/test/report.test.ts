import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Rng, disposeParams, linear } from "@samlab/core-tensor"
import { describe, expect, it } from "vitest"
import { type ReportInput, ReportInputError, createTracker, methodReportFrom, parseReportInput, renderReport, reportCharts, reportJson } from "../src/index.js"
import { exampleInput } from "../scripts/example-input.js"
import { findAll, hasClass, parseXml, textOf } from "./xml.js"

const small = (): ReportInput => ({
  title: "Tiny <run> & co",
  config: { model: { kind: "mlp", hidden: [4] }, rho: 0.1 },
  methods: {
    sgd: {
      label: "SGD",
      summary: {
        bestTestAcc: 0.4532,
        bestEpoch: 2,
        finalTestAcc: 0.3,
        earlyStopTestAcc: 0.44,
        earlyStopEpoch: 3,
        cleanTrainAccAtBest: 0.9,
        noisyTrainAccNoisyLabelAtBest: 0.25,
        wallSeconds: 12.34,
        seeds: [1, 2],
        std: { bestTestAcc: 0.012 }
      },
      perEpoch: [
        { epoch: 1, testAcc: 0.3, cleanTrainAcc: 0.5, noisyTrainAccNoisyLabel: 0.1, featureNormSq: 4, headNormSq: 1 },
        { epoch: 2, testAcc: 0.4532, cleanTrainAcc: 0.9, noisyTrainAccNoisyLabel: 0.25, featureNormSq: 8, headNormSq: 2 },
        { epoch: 3, testAcc: 0.3, cleanTrainAcc: 0.95, noisyTrainAccNoisyLabel: Number.NaN, featureNormSq: 16, headNormSq: 3 }
      ]
    },
    sam: {
      summary: { bestTestAcc: 0.5, bestEpoch: 3, finalTestAcc: 0.5, seeds: [1] },
      perEpoch: [
        { epoch: 1, testAcc: 0.35 },
        { epoch: 3, testAcc: 0.5 }
      ]
    }
  }
})

/** Each inline <svg> of an HTML page, parsed as XML. */
const svgsOf = (page: string) => [...page.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => parseXml(m[0]))

describe("renderReport", () => {
  it("writes the results table with percentages, the best values marked, and escapes text", () => {
    const page = renderReport(small())
    expect(page.startsWith("<!doctype html>")).toBe(true)
    expect(page).toContain("<title>Tiny &lt;run&gt; &amp; co</title>")
    const rows = [...page.matchAll(/<tr data-method="([^"]*)">([\s\S]*?)<\/tr>/g)]
    expect(rows.map((r) => r[1])).toEqual(["SGD", "sam"])
    const cells = (row: string) =>
      [...row.matchAll(/<td( class="best")?>([\s\S]*?)<\/td>/g)].map((m) => ({ best: m[1] !== undefined, text: m[2]!.replace(/<[^>]+>/g, "") }))
    const sgd = cells(rows[0]![2]!)
    expect(sgd.map((c) => c.text)).toEqual(["SGD", "45.3 ± 1.2", "2", "30.0", "44.0 [3]", "90.0", "25.0", "12.3", "1, 2"])
    const sam = cells(rows[1]![2]!)
    expect(sam.map((c) => c.text)).toEqual(["sam", "50.0", "3", "50.0", "–", "–", "–", "–", "1"])
    expect(sam[1]!.best && sam[3]!.best && !sgd[1]!.best).toBe(true)
    expect(sgd[4]!.best).toBe(true) // the only early-stop value
    expect(page).toContain("<th>model.hidden</th><td>[4]</td>")
  })

  it("is self-contained: inline CSS and SVG only, no scripts, links or network references", () => {
    const page = renderReport(exampleInput())
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import/i)
    const urls = [...page.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0])
    expect(new Set(urls)).toEqual(new Set(["http://www.w3.org/2000/svg"]))
    expect([...page.matchAll(/url\(([^)]*)\)/g)].every((m) => m[1]!.startsWith("#"))).toBe(true)
  })

  it("contains every chart as well-formed SVG, with one series per method (two per method for clean vs noisy)", () => {
    const input = exampleInput()
    const methods = Object.keys(input.methods).length
    const withDecomposition = Object.values(input.methods).filter((m) => m.decomposition).length
    const page = renderReport(input)
    const svgs = svgsOf(page)
    const charts = reportCharts(input)
    expect(svgs).toHaveLength(7)
    expect(charts.map((c) => c.id)).toEqual(["test-accuracy", "train-accuracy", "samFactor", "logitFactor", "jacobianFactor", "featureNormSq", "headNormSq"])
    const seriesCount = (svg: ReturnType<typeof parseXml>) => findAll(svg, hasClass("series")).length
    expect(svgs.map(seriesCount)).toEqual([methods, 2 * methods, 2 * withDecomposition, 2 * withDecomposition, 2 * withDecomposition, methods, methods])
    for (const svg of svgs) {
      expect(textOf(findAll(svg, hasClass("x-label"))[0]!)).toBe("epoch")
      expect(textOf(findAll(svg, hasClass("y-label"))[0]!).length).toBeGreaterThan(3)
      expect(findAll(svg, hasClass("tick-label")).length).toBeGreaterThan(4)
    }
    // Clip-path ids are unique within the page.
    const ids = [...page.matchAll(/clipPath id="([^"]+)"/g)].map((m) => m[1])
    expect(new Set(ids).size).toBe(ids.length)
  })

  it("plots accuracies as percentages at the right height", () => {
    const chart = parseXml(reportCharts(small())[0]!.svg)
    const plot = findAll(chart, hasClass("plot"))[0]!
    const [, top, , height] = plot.attrs["data-plot"]!.split(" ").map(Number)
    const [lo, hi] = plot.attrs["data-y-domain"]!.split(" ").map(Number)
    const d = findAll(chart, (e) => e.name === "path")[0]!.attrs["d"]!
    const ys = d
      .split(/[ML]/)
      .filter(Boolean)
      .map((p) => Number(p.split(",")[1]))
    expect(ys[1]).toBeCloseTo(top! + height! * (1 - (45.32 - lo!) / (hi! - lo!)), 1)
  })

  it("omits the charts the data cannot fill", () => {
    const input = small()
    const ids = reportCharts(input).map((c) => c.id)
    expect(ids).toEqual(["test-accuracy", "train-accuracy", "featureNormSq", "headNormSq"])
  })
})

describe("parseReportInput and reportJson", () => {
  it("round-trips through JSON with NaN as null", () => {
    const json = reportJson(small())
    expect(json).toContain('"noisyTrainAccNoisyLabel": null')
    const back = parseReportInput(JSON.parse(json))
    expect(Number.isNaN(back.methods["sgd"]!.perEpoch[2]!.noisyTrainAccNoisyLabel)).toBe(true)
    expect(reportJson(back)).toBe(json)
  })

  it("names the bad field", () => {
    const bad = (mutate: (o: any) => void) => {
      const o = JSON.parse(reportJson(small()))
      mutate(o)
      return () => parseReportInput(o)
    }
    expect(bad((o) => delete o.title)).toThrow(/report input title: expected a string, got nothing/)
    expect(bad((o) => (o.methods.sgd.perEpoch[1].testAcc = 45.3))).toThrow(
      /methods\.sgd\.perEpoch\[1\]\.testAcc: accuracies are fractions in \[0, 1\], got 45.3 \(a percentage\?\)/
    )
    expect(bad((o) => (o.methods.sam.perEpoch[1].epoch = 1))).toThrow(/methods\.sam\.perEpoch\[1\]\.epoch: epochs must increase/)
    expect(bad((o) => (o.methods.sam.summary.seeds = [1.5]))).toThrow(/methods\.sam\.summary\.seeds\[0\]/)
    expect(bad((o) => delete o.methods.sam.summary.finalTestAcc)).toThrow(/methods\.sam\.summary\.finalTestAcc: is required/)
    expect(bad((o) => (o.methods = {}))).toThrow(ReportInputError)
    expect(bad((o) => (o.methods.sgd.decomposition = [{ epoch: 1, clean: {}, noisy: {} }]))).toThrow(/methods\.sgd\.decomposition\[0\]\.clean\.count/)
  })
})

describe("from a tracked run", () => {
  it("methodReportFrom gives a valid method section", () => {
    const model = linear({ inputDim: 2, numClasses: 2 })
    const params = model.init(new Rng(1))
    const images = Float32Array.from([1, 0, 0, 1, 1, 1, -1, 0])
    const tracker = createTracker({
      model,
      train: { images, labels: [0, 1, 0, 1], cleanLabels: [0, 1, 1, 1] },
      test: { images, labels: [0, 1, 1, 0] },
      validation: { images, labels: [0, 1, 1, 1] },
      decomposition: { every: 1, examples: 4, perturbation: { rho: 0.1, chunkSize: 2 } }
    })
    tracker.record(1, params)
    tracker.record(2, params)
    disposeParams(params)
    const section = methodReportFrom(
      { history: tracker.history, decompositions: tracker.decompositions, summary: tracker.summary() },
      { label: "SGD", seeds: [0], wallSeconds: 3 }
    )
    const input = parseReportInput({ title: "t", config: {}, methods: { sgd: section } })
    expect(input.methods["sgd"]!.decomposition).toHaveLength(2)
    expect(input.methods["sgd"]!.summary.earlyStopEpoch).toBe(1)
    expect(svgsOf(renderReport(input))).toHaveLength(7)
  })
})

const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p))

describe.skipIf(!chromium)("rendering with headless Chromium", () => {
  it("renders the example report to a PNG of the requested size", () => {
    const dir = mkdtempSync(join(tmpdir(), "samlab-report-"))
    try {
      const html = join(dir, "report.html")
      const png = join(dir, "report.png")
      writeFileSync(html, renderReport(exampleInput()))
      execFileSync(
        chromium!,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          `--user-data-dir=${join(dir, "profile")}`,
          `--screenshot=${png}`,
          "--window-size=1280,1600",
          `file://${html}`
        ],
        { stdio: "ignore", timeout: 60_000 }
      )
      const bytes = readFileSync(png)
      expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1280, 1600])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("renderReport readability", () => {
  const fourMethods = (): ReportInput => {
    const curve = (top: number) => [1, 2, 3].map((epoch) => ({ epoch, testAcc: (top * epoch) / 3 }))
    const method = (top: number, seeds: number[]) => ({
      summary: { bestTestAcc: top, bestEpoch: 3, finalTestAcc: top, seeds, std: { bestTestAcc: 0.01 } },
      perEpoch: curve(top)
    })
    return {
      title: "t",
      headline: "SAM beats SGD by 3.3 points at the peak.",
      config: {},
      methods: {
        sgd: { ...method(0.4, [0, 1]), perEpochMin: curve(0.38), perEpochMax: curve(0.42) },
        sam: method(0.45, [0, 1]),
        lsam: method(0.42, [0, 1]),
        jsam: method(0.45, [0, 1])
      }
    }
  }

  it("shows the headline first and says what ± means", () => {
    const page = renderReport(fourMethods())
    expect(page).toContain('<p class="headline">SAM beats SGD by 3.3 points at the peak.</p>')
    expect(page.indexOf("headline")).toBeLessThan(page.indexOf("<table"))
    expect(page).toMatch(/± is the sample standard deviation over the 2 seeds/)
    const single = renderReport({
      ...fourMethods(),
      methods: { sgd: { summary: { bestTestAcc: 0.4, bestEpoch: 1, finalTestAcc: 0.4, seeds: [0] }, perEpoch: [{ epoch: 1, testAcc: 0.4 }] } }
    })
    expect(single).not.toContain("standard deviation")
  })

  it("gives every method its own colour and marker, draws seed bands, and ends the epoch axis at the last epoch", () => {
    const chart = reportCharts(fourMethods()).find((c) => c.id === "test-accuracy")!
    const doc = parseXml(chart.svg)
    const strokes = findAll(doc, hasClass("series")).map((g) => findAll(g, (e) => e.name === "path")[0]!.attrs["stroke"])
    expect(new Set(strokes).size).toBe(4)
    const shapes = findAll(doc, hasClass("series")).map((g) => findAll(g, hasClass("marker"))[0]!.attrs["class"])
    expect(new Set(shapes).size).toBe(4)
    expect(findAll(doc, hasClass("band")).map((b) => b.attrs["data-series"])).toEqual(["sgd"])
    expect(findAll(doc, hasClass("plot"))[0]!.attrs["data-x-domain"]).toBe("1 3")
    expect(chart.caption).toContain("shaded band")
  })

  it("round-trips the headline and the seed ranges through JSON", () => {
    const back = parseReportInput(JSON.parse(reportJson(fourMethods())))
    expect(back.headline).toBe("SAM beats SGD by 3.3 points at the peak.")
    expect(back.methods["sgd"]!.perEpochMax!.map((e) => e.testAcc)).toEqual(fourMethods().methods["sgd"]!.perEpochMax!.map((e) => e.testAcc))
    expect(() =>
      parseReportInput({
        ...fourMethods(),
        methods: {
          sgd: {
            ...fourMethods().methods["sgd"]!,
            perEpochMin: [
              { epoch: 2, testAcc: 0.1 },
              { epoch: 1, testAcc: 0.1 }
            ]
          }
        }
      })
    ).toThrow(/methods\.sgd\.perEpochMin\[1\]\.epoch/)
  })

  it("shows warnings above the results, and they survive JSON", () => {
    const input = { ...fourMethods(), warnings: ["SAM may not have peaked: run longer (best epoch 3 (seed 0) of 3)"] }
    const page = renderReport(input)
    expect(page).toContain('<p class="warning" role="note">Warning: SAM may not have peaked: run longer (best epoch 3 (seed 0) of 3)</p>')
    expect(page.indexOf('class="warning"')).toBeLessThan(page.indexOf("<table"))
    expect(renderReport(fourMethods())).not.toContain('class="warning"')
    expect(parseReportInput(JSON.parse(reportJson(input))).warnings).toEqual(input.warnings)
  })
})

describe("SANER's group-B chart", () => {
  it("draws the share per epoch (solid) and on clean (dashed) and noisy (dotted) batches, in percent; absent without the fields", () => {
    const input: ReportInput = {
      title: "saner",
      config: {},
      methods: {
        saner: {
          summary: { bestTestAcc: 0.4, bestEpoch: 2, finalTestAcc: 0.4, seeds: [0] },
          perEpoch: [
            { epoch: 1, testAcc: 0.3, groupBShare: 0.2, groupBShareClean: 0.25, groupBShareNoisy: 0.1 },
            { epoch: 2, testAcc: 0.4, groupBShare: 0.3, groupBShareClean: 0.35, groupBShareNoisy: 0.15 }
          ]
        }
      }
    }
    const chart = reportCharts(input).find((c) => c.id === "group-b-share")!
    const doc = parseXml(chart.svg)
    const series = findAll(doc, hasClass("series"))
    expect(series.map((g) => findAll(g, (e) => e.name === "path")[0]!.attrs["stroke-dasharray"] ?? "solid")).toHaveLength(3)
    const [lo, hi] = findAll(doc, hasClass("plot"))[0]!.attrs["data-y-domain"]!.split(" ").map(Number)
    expect(lo! <= 10 && hi! >= 35).toBe(true)
    expect(renderReport(input)).toContain("SANER: the coordinates SAM already shrinks")
    expect(reportCharts(small()).some((c) => c.id === "group-b-share")).toBe(false)
  })
})

describe("the sweep chart", () => {
  const run = (method: string, rate: number, best: number, last: number) => ({
    label: `${method} (noise.rate=${rate})`,
    summary: { bestTestAcc: best, bestEpoch: 3, finalTestAcc: last, seeds: [0] },
    perEpoch: [{ epoch: 1, testAcc: best }],
    sweep: { method, values: { "noise.rate": rate } }
  })
  // groups out of x order, as a matrix may list them
  const input: ReportInput = {
    title: "sweep",
    config: {},
    methods: {
      "erm noise.rate=0.4": run("SGD", 0.4, 0.3, 0.2),
      "erm noise.rate=0": run("SGD", 0, 0.5, 0.48),
      "sam noise.rate=0.4": run("SAM", 0.4, 0.38, 0.36),
      "sam noise.rate=0": run("SAM", 0, 0.52, 0.5)
    }
  }

  it("draws each method's best (solid) and last-epoch (dashed) accuracy against the swept value, in x order and in percent", () => {
    const chart = reportCharts(input)[0]!
    expect(chart.id).toBe("sweep")
    const doc = parseXml(chart.svg)
    const plot = findAll(doc, hasClass("plot"))[0]!
    const [left, top, width, height] = plot.attrs["data-plot"]!.split(" ").map(Number) as [number, number, number, number]
    const [x0, x1] = plot.attrs["data-x-domain"]!.split(" ").map(Number) as [number, number]
    const [y0, y1] = plot.attrs["data-y-domain"]!.split(" ").map(Number) as [number, number]
    const at = (name: string) => {
      const g = findAll(doc, (e) => hasClass("series")(e) && e.attrs["data-series"] === name)[0]!
      const path = findAll(g, (e) => e.name === "path")[0]!
      const xy = path.attrs["d"]!.split(/[ML]/)
        .filter(Boolean)
        .map((p) => p.split(",").map(Number) as [number, number])
      return { xy, dashed: path.attrs["stroke-dasharray"] !== undefined }
    }
    const px = (x: number) => left + (width * (x - x0)) / (x1 - x0)
    const py = (y: number) => top + height * (1 - (y - y0) / (y1 - y0))
    const samLast = at("SAM, last epoch")
    expect(samLast.dashed).toBe(true)
    expect(samLast.xy.map(([x]) => x)).toEqual([expect.closeTo(px(0), 1), expect.closeTo(px(0.4), 1)])
    expect(samLast.xy.map(([, y]) => y)).toEqual([expect.closeTo(py(50), 1), expect.closeTo(py(36), 1)])
    const sgdBest = at("SGD, best")
    expect(sgdBest.dashed).toBe(false)
    expect(sgdBest.xy.map(([, y]) => y)).toEqual([expect.closeTo(py(50), 1), expect.closeTo(py(30), 1)])
  })

  it("is drawn only for a sweep of one numeric field; JSON keeps the sweep points", () => {
    expect(reportCharts(small()).some((c) => c.id === "sweep")).toBe(false)
    const twoFields: ReportInput = {
      ...input,
      methods: { ...input.methods, extra: { ...run("SAM", 0.2, 0.4, 0.4), sweep: { method: "SAM", values: { "noise.rate": 0.2, rho: 0.1 } } } }
    }
    expect(reportCharts(twoFields).some((c) => c.id === "sweep")).toBe(false)
    const words: ReportInput = { ...input, methods: { a: { ...run("SGD", 0, 0.5, 0.5), sweep: { method: "SGD", values: { "noise.kind": "asymmetric" } } } } }
    expect(reportCharts(words).some((c) => c.id === "sweep")).toBe(false)
    expect(parseReportInput(JSON.parse(reportJson(input))).methods["sam noise.rate=0"]!.sweep).toEqual({ method: "SAM", values: { "noise.rate": 0 } })
    expect(() => parseReportInput({ ...input, methods: { a: { ...run("SGD", 0, 0.5, 0.5), sweep: { values: {} } } } })).toThrow(/methods\.a\.sweep\.method/)
  })
})
