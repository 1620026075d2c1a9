import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import * as http from "node:http"
import { type AddressInfo, type Socket, connect } from "node:net"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { ArchiveChecksumError, ArchiveFormatError, CacheCorruptError, DatasetUnavailableError, loadCifar10, locateDataset } from "../src/index.js"
import { COMPLETE_MARKER } from "../src/download/cache.js"
import { fixturePixel, tempDir, writeCifar10Folder } from "./helpers/files.js"
import { buildTarGz } from "./helpers/tar-writer.js"

/** A small cifar-10-binary.tar.gz built here: 2 records per training file, 3 test records. */
const buildArchive = (): Buffer => {
  const { dir, cleanup } = tempDir("archive-src")
  try {
    writeCifar10Folder(
      dir,
      [
        [0, 1],
        [2, 3],
        [4, 5],
        [6, 7],
        [8, 9]
      ],
      [9, 0, 5]
    )
    const names = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"]
    return buildTarGz([
      { path: "cifar-10-batches-bin", directory: true },
      ...names.map((n) => ({ path: `cifar-10-batches-bin/${n}`, data: readFileSync(join(dir, n)) })),
      { path: "cifar-10-batches-bin/batches.meta.txt", data: new TextEncoder().encode("airplane\n") }
    ])
  } finally {
    cleanup()
  }
}

const archive = buildArchive()
/** A file and a folder of the same name. */
const clashing = buildTarGz([
  { path: "cifar-10-batches-bin", data: new TextEncoder().encode("a file") },
  { path: "cifar-10-batches-bin/data_batch_1.bin", data: new Uint8Array(3073) }
])
/** The right layout, but data_batch_1.bin holds a record and a half: its MD5 is what it is, its records are unreadable. */
const unreadable = (() => {
  const { dir, cleanup } = tempDir("unreadable-src")
  try {
    writeCifar10Folder(
      dir,
      [
        [0, 1],
        [2, 3],
        [4, 5],
        [6, 7],
        [8, 9]
      ],
      [9, 0, 5]
    )
    const names = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"]
    return buildTarGz(
      names.map((n) => ({
        path: `cifar-10-batches-bin/${n}`,
        data: n === "data_batch_1.bin" ? readFileSync(join(dir, n)).subarray(0, 4000) : readFileSync(join(dir, n))
      }))
    )
  } finally {
    cleanup()
  }
})()
const md5 = createHash("md5").update(archive).digest("hex")
const corrupt = Buffer.from(archive)
corrupt[corrupt.length >> 1] = corrupt[corrupt.length >> 1]! ^ 0xff

let server: http.Server
let base: string
const requests: string[] = []
let flakyCalls = 0

/** Sends half the body under the full Content-Length, then drops the connection. */
const sendHalfThenDrop = (res: http.ServerResponse) => {
  res.writeHead(200, { "content-length": archive.length, "content-type": "application/gzip" })
  res.write(archive.subarray(0, archive.length >> 1), () => setTimeout(() => res.socket?.destroy(), 20))
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? "")
    const send = (body: Buffer) => {
      res.writeHead(200, { "content-length": body.length, "content-type": "application/gzip" })
      res.end(body)
    }
    if (req.url === "/good/cifar-10-binary.tar.gz") send(archive)
    else if (req.url === "/clash/cifar-10-binary.tar.gz") send(clashing)
    else if (req.url === "/unreadable/cifar-10-binary.tar.gz") send(unreadable)
    else if (req.url === "/endless/cifar-10-binary.tar.gz") {
      res.writeHead(200, { "content-type": "application/gzip" }) // chunked: no length announced
      const chunk = Buffer.alloc(64 * 1024, 7)
      const more = () => {
        if (!res.destroyed && res.write(chunk)) setImmediate(more)
        else if (!res.destroyed) res.once("drain", more)
      }
      res.on("close", () => undefined)
      more()
    } else if (req.url === "/corrupt/cifar-10-binary.tar.gz") send(corrupt)
    else if (req.url === "/cut/cifar-10-binary.tar.gz") sendHalfThenDrop(res)
    else if (req.url === "/flaky/cifar-10-binary.tar.gz") {
      if (flakyCalls++ === 0) sendHalfThenDrop(res)
      else send(archive)
    } else if (req.url === "/moved/cifar-10-binary.tar.gz") {
      res.writeHead(302, { location: "/good/cifar-10-binary.tar.gz" })
      res.end()
    } else {
      res.writeHead(404)
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const envKeys = ["CIFAR10_DIR", "SAMLAB_CACHE_DIR", "SAMLAB_CIFAR_BASE_URL"] as const
let savedEnv: Record<string, string | undefined>
let cacheDir: string
let cleanup: () => void
beforeEach(() => {
  savedEnv = Object.fromEntries(envKeys.map((k) => [k, process.env[k]]))
  for (const k of envKeys) delete process.env[k]
  ;({ dir: cacheDir, cleanup } = tempDir("cache"))
  requests.length = 0
})
afterEach(() => {
  for (const k of envKeys)
    if (savedEnv[k] === undefined) delete process.env[k]
    else process.env[k] = savedEnv[k]
  cleanup()
})

/** Nothing cached: no dataset folder and no partial work left in the cache folder. */
const expectEmptyCache = () => expect(existsSync(cacheDir) ? readdirSync(cacheDir) : []).toEqual([])

describe("download into the cache", () => {
  it("downloads, verifies, extracts into place, then reads from the cache without a request", async () => {
    const { train, test } = await loadCifar10({ cacheDir, baseUrl: `${base}/good`, md5, expectedRecords: "any" })
    expect(requests).toEqual(["/good/cifar-10-binary.tar.gz"])
    expect(readdirSync(cacheDir)).toEqual(["cifar-10-batches-bin"])
    expect(existsSync(join(cacheDir, "cifar-10-batches-bin", COMPLETE_MARKER))).toBe(true)
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(Array.from(test.labels)).toEqual([9, 0, 5])
    expect(train.images[((3 * 32 + 4) * 32 + 5) * 3 + 2]).toBe(fixturePixel(3, 2, 4, 5))

    const again = await locateDataset("cifar10", { cacheDir, baseUrl: `${base}/good`, md5 })
    expect(again.source).toBe("cache")
    expect(requests).toHaveLength(1)
  })

  it("two loads racing into one cache both succeed and leave one complete folder", async () => {
    const [a, b] = await Promise.all([
      loadCifar10({ cacheDir, baseUrl: `${base}/good`, md5, expectedRecords: "any" }),
      loadCifar10({ cacheDir, baseUrl: `${base}/good`, md5, expectedRecords: "any" })
    ])
    expect(Array.from(a.train.labels)).toEqual(Array.from(b.train.labels))
    expect(requests).toHaveLength(2)
    expect(readdirSync(cacheDir)).toEqual(["cifar-10-batches-bin"])
  })

  it("uses SAMLAB_CACHE_DIR and follows redirects", async () => {
    process.env["SAMLAB_CACHE_DIR"] = cacheDir
    const found = await locateDataset("cifar10", { baseUrl: `${base}/moved`, md5, expectedRecords: "any" })
    expect(found).toEqual({ dir: join(cacheDir, "cifar-10-batches-bin"), source: "download" })
    expect(requests).toEqual(["/moved/cifar-10-binary.tar.gz", "/good/cifar-10-binary.tar.gz"])
  })

  it("checks the published MD5 by default (a test archive does not match it)", async () => {
    const err = await loadCifar10({ cacheDir, baseUrl: `${base}/good`, expectedRecords: "any" }).catch((e) => e)
    expect(err).toBeInstanceOf(ArchiveChecksumError)
    expect(err).toMatchObject({ expectedMd5: "c32a1d4ab5d03f1284b67883e8d87530", actualMd5: md5 })
    expectEmptyCache()
  })

  it("rejects a corrupted archive with a checksum error and caches nothing", async () => {
    const err = await loadCifar10({ cacheDir, baseUrl: `${base}/corrupt`, md5, expectedRecords: "any" }).catch((e) => e)
    expect(err).toBeInstanceOf(ArchiveChecksumError)
    expect(err).toMatchObject({ _tag: "ArchiveChecksumError", url: `${base}/corrupt/cifar-10-binary.tar.gz`, expectedMd5: md5 })
    expect(err.actualMd5).toBe(createHash("md5").update(corrupt).digest("hex"))
    expectEmptyCache()
  })

  it("fails on a connection dropped midway, caches nothing, and succeeds on the next call", async () => {
    const cut = await loadCifar10({ cacheDir, baseUrl: `${base}/cut`, md5, expectedRecords: "any" }).catch((e) => e)
    expect(cut).toBeInstanceOf(DatasetUnavailableError)
    expect(cut.message).toMatch(/interrupted/)
    expectEmptyCache()

    flakyCalls = 0
    const first = await loadCifar10({ cacheDir, baseUrl: `${base}/flaky`, md5, expectedRecords: "any" }).catch((e) => e)
    expect(first).toBeInstanceOf(DatasetUnavailableError)
    expectEmptyCache()
    const second = await loadCifar10({ cacheDir, baseUrl: `${base}/flaky`, md5, expectedRecords: "any" })
    expect(second.train.n).toBe(10)
  })

  it("without network, names the environment variable to set", async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const err = await loadCifar10({ cacheDir, baseUrl: `http://127.0.0.1:${port}`, expectedRecords: "any" }).catch((e) => e)
    expect(err).toBeInstanceOf(DatasetUnavailableError)
    expect(err).toMatchObject({ _tag: "DatasetUnavailableError", envVar: "CIFAR10_DIR" })
    expect(err.message).toContain("set CIFAR10_DIR")
    expect(err.message).toContain("ECONNREFUSED")
    expectEmptyCache()
  })

  it("reports an HTTP error status", async () => {
    const err = await loadCifar10({ cacheDir, baseUrl: `${base}/nothing-here`, md5, expectedRecords: "any" }).catch((e) => e)
    expect(err).toBeInstanceOf(DatasetUnavailableError)
    expect(err.message).toContain("HTTP 404")
  })

  it("with download disabled, fails without a request and names the variable", async () => {
    const err = await loadCifar10({ cacheDir, baseUrl: `${base}/good`, md5, download: false, expectedRecords: "any" }).catch((e) => e)
    expect(err).toBeInstanceOf(DatasetUnavailableError)
    expect(err.message).toContain("CIFAR10_DIR")
    expect(requests).toEqual([])
  })

  it("removes partial work nothing has written to for a while, and refuses a folder it did not complete", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid
    mkdirSync(join(cacheDir, `.partial-${dead}-abc`, "extract"), { recursive: true })
    ageTree(join(cacheDir, `.partial-${dead}-abc`), 11 * 60_000)
    await loadCifar10({ cacheDir, baseUrl: `${base}/good`, md5, expectedRecords: "any" })
    expect(readdirSync(cacheDir)).toEqual(["cifar-10-batches-bin"])

    const { dir: other, cleanup: cleanupOther } = tempDir("foreign")
    try {
      mkdirSync(join(other, "cifar-10-batches-bin"))
      const err = await loadCifar10({ cacheDir: other, baseUrl: `${base}/good`, md5, expectedRecords: "any" }).catch((e) => e)
      expect(err).toBeInstanceOf(CacheCorruptError)
      expect(err.message).toContain(join(other, "cifar-10-batches-bin"))
    } finally {
      cleanupOther()
    }
  })

  it("never deletes a live download of another PID namespace (its PID means nothing here): judged by its recent writes", async () => {
    // a download running in another container that shares the cache: its PID does not exist in ours
    const foreignPid = spawnSync(process.execPath, ["-e", ""]).pid
    const foreign = join(cacheDir, `.partial-${foreignPid}-xyz`)
    mkdirSync(join(foreign, "extract"), { recursive: true })
    writeFileSync(join(foreign, "cifar-10-binary.tar.gz"), "the first bytes of a download in progress")
    ageTree(foreign, 60_000) // a minute old, still written to a moment ago:
    writeFileSync(join(foreign, "cifar-10-binary.tar.gz"), "more bytes")
    await loadCifar10({ cacheDir, baseUrl: `${base}/good`, md5, expectedRecords: "any" })
    expect(readFileSync(join(foreign, "cifar-10-binary.tar.gz"), "utf8")).toBe("more bytes")
    // once nothing has been written to it for longer than partialStaleMs, it is a dead download's
    ageTree(foreign, 11 * 60_000)
    rmSync(join(cacheDir, "cifar-10-batches-bin"), { recursive: true })
    await loadCifar10({ cacheDir, baseUrl: `${base}/good`, md5, expectedRecords: "any" })
    expect(existsSync(foreign)).toBe(false)
  })

  it("refuses a body larger than expected before saving it, caching nothing", async () => {
    const err = await loadCifar10({ cacheDir, baseUrl: `${base}/endless`, md5, maxBytes: 1_000_000, expectedRecords: "any" }).catch((e) => e)
    expect(err).toBeInstanceOf(DatasetUnavailableError)
    expect(err.message).toMatch(/more than the expected 1000000 bytes/)
    expectEmptyCache()
    const big = await loadCifar10({ cacheDir, baseUrl: `${base}/good`, md5, maxBytes: 100, expectedRecords: "any" }).catch((e) => e)
    expect(big.message).toContain(`the body is ${archive.length} bytes, more than the expected 100`)
    expectEmptyCache()
  })

  it("a file-versus-folder clash in the archive is a typed error naming the entry, not a raw EEXIST", async () => {
    const err = await loadCifar10({ cacheDir, baseUrl: `${base}/clash`, md5: createHash("md5").update(clashing).digest("hex"), expectedRecords: "any" }).catch(
      (e) => e
    )
    expect(err).toBeInstanceOf(ArchiveFormatError)
    expect(err.message).toContain("entry cifar-10-batches-bin/data_batch_1.bin clashes")
    expectEmptyCache()
  })

  it("an archive with the right MD5 but unreadable records is never marked complete", async () => {
    const err = await loadCifar10({
      cacheDir,
      baseUrl: `${base}/unreadable`,
      md5: createHash("md5").update(unreadable).digest("hex"),
      expectedRecords: "any"
    }).catch((e) => e)
    expect(err).toMatchObject({ _tag: "CifarFileSizeError" })
    expect(err.message).toContain("data_batch_1.bin")
    expectEmptyCache() // so the next load downloads again instead of failing on a "complete" folder
  })

  it("goes through the proxy HTTP_PROXY / HTTPS_PROXY names", async () => {
    const proxied: string[] = []
    // a tunnelling proxy, as corporate HTTPS proxies are: CONNECT host:port, then raw bytes both ways
    const proxy = http.createServer((_req, res) => res.writeHead(405).end())
    proxy.on("connect", (req: http.IncomingMessage, client: Socket, head: Buffer) => {
      proxied.push(`CONNECT ${req.url}`)
      const [host, port] = req.url!.split(":")
      const upstream = connect(Number(port), host!, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
        upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      upstream.on("error", () => client.destroy())
      client.on("error", () => upstream.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
    const saved = { HTTP_PROXY: process.env["HTTP_PROXY"], NO_PROXY: process.env["NO_PROXY"] }
    process.env["HTTP_PROXY"] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    delete process.env["NO_PROXY"]
    try {
      const { train } = await loadCifar10({ cacheDir, baseUrl: `${base}/good`, md5, expectedRecords: "any" })
      expect(train.n).toBe(10)
      expect(proxied).toEqual([`CONNECT ${base.replace("http://", "")}`])
      expect(requests).toEqual(["/good/cifar-10-binary.tar.gz"])
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      await new Promise<void>((resolve) => proxy.close(() => resolve()))
    }
  })
})

/** Sets every mtime in a tree `ageMs` into the past. */
const ageTree = (path: string, ageMs: number): void => {
  const t = new Date(Date.now() - ageMs)
  if (statSync(path).isDirectory()) for (const n of readdirSync(path)) ageTree(join(path, n), ageMs)
  utimesSync(path, t, t)
}
