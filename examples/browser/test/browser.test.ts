import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { type Server, createServer } from "node:http"
import { tmpdir } from "node:os"
import { extname, join } from "node:path"
import { type Browser, type Page, chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
// @ts-expect-error build.mjs is plain JavaScript
import { bundlePage } from "../build.mjs"

const executablePath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync)
const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" }

let server: Server
let browser: Browser
let page: Page
let url = ""
let bundle: { bytes: number; nodeBuiltins: string[] }
const errors: string[] = []

/** A CIFAR-10 binary batch of `n` records whose images carry their class (a learnable, seeded toy). */
const syntheticBatch = (n: number): Buffer => {
  const bytes = Buffer.alloc(n * 3073)
  let s = 7
  const random = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648
  for (let r = 0; r < n; r++) {
    const label = r % 10
    bytes[r * 3073] = label
    for (let p = 0; p < 3072; p++) bytes[r * 3073 + 1 + p] = Math.floor(100 * random() + (p % 10 === label ? 120 : 0))
  }
  return bytes
}

describe.skipIf(!executablePath)("samlab in headless Chromium", () => {
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), "samlab-browser-"))
    bundle = await bundlePage(out)
    server = createServer((req, res) => {
      const path = join(out, (req.url ?? "/") === "/" ? "index.html" : (req.url ?? "").slice(1))
      if (!existsSync(path)) return void res.writeHead(404).end()
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const address = server.address()
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`
    browser = await chromium.launch({
      executablePath: executablePath!,
      args: [
        "--no-sandbox",
        "--disable-gpu-sandbox",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run"
      ]
    })
    page = await browser.newPage()
    page.on("pageerror", (e) => errors.push(e.message))
    await page.goto(url)
  })

  afterAll(async () => {
    await browser?.close()
    server?.close()
  })

  it("bundles the optimizer packages for the browser with no Node built-in", () => {
    expect(bundle.nodeBuiltins).toEqual([])
    expect(bundle.bytes).toBeGreaterThan(0)
  })

  for (const backend of ["cpu", "webgl"]) {
    it(`runs SAM, J-SAM and the regularizer on tfjs's ${backend} backend: every loss falls, nothing leaks`, async () => {
      const result = (await page.evaluate(
        (b) => (globalThis as unknown as { samlabSelfTest: (b: string) => Promise<unknown> }).samlabSelfTest(b),
        backend
      )) as { backend: string; losses: Record<string, number[]>; tensors: [number, number] }
      expect(result.backend).toBe(backend)
      for (const [method, losses] of Object.entries(result.losses)) {
        expect(losses.every(Number.isFinite), method).toBe(true)
        expect(losses.at(-1)!, method).toBeLessThan(0.8 * losses[0]!)
      }
      expect(result.tensors[1]).toBe(result.tensors[0])
      expect(errors).toEqual([])
    })
  }

  it("the example page trains SGD and SAM side by side on a picked batch file and draws both curves", async () => {
    await page.goto(url)
    await page.setInputFiles("#file", { name: "data_batch_1.bin", mimeType: "application/octet-stream", buffer: syntheticBatch(400) })
    for (const [id, value] of [
      ["train", "300"],
      ["test", "100"],
      ["epochs", "2"],
      ["noise", "0.3"]
    ] as const)
      await page.fill(`#${id}`, value)
    await page.selectOption("#backend", "cpu")
    await page.click("#start")
    await page.waitForFunction(() => document.body.dataset["done"] === "true" || document.body.dataset["error"] !== undefined, undefined, { timeout: 180_000 })
    expect(await page.evaluate(() => document.body.dataset["error"] ?? null)).toBeNull()
    expect(await page.textContent("#status")).toMatch(/Best test accuracy: SGD \d+\.\d%, SAM \d+\.\d%/)
    const names = await page.$$eval("#test-chart g.series", (gs) => gs.map((g) => g.getAttribute("data-series")))
    expect(names).toEqual(["SGD", "SAM"])
    // two epochs: two points per curve (the path has an M and an L command)
    const paths = await page.$$eval("#test-chart g.series path", (ps) => ps.map((p) => (p.getAttribute("d") ?? "").split(/[ML]/).filter(Boolean).length))
    expect(paths).toEqual([2, 2])
    expect(await page.$$eval("#train-chart g.series", (gs) => gs.length)).toBe(4)
    await page.screenshot({ path: join(tmpdir(), "samlab-example-page.png"), fullPage: true })
    expect(errors).toEqual([])
  })
})
