import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync
} from "node:fs"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { createGunzip } from "node:zlib"
import { ArchiveChecksumError, ArchiveFormatError, CacheCorruptError, DatasetUnavailableError } from "../errors.js"
import { DEFAULT_BASE_URL, type DatasetLayout } from "../load/layout.js"
import { type DownloadOptions, TransferError, downloadToFile } from "./http.js"
import { tarParser } from "./tar.js"
import { readDatasetDir } from "../load/read-dir.js"

export interface CacheOptions extends DownloadOptions {
  /** Cache folder (default: env SAMLAB_CACHE_DIR, else ~/.cache/samlab). */
  readonly cacheDir?: string
  /** Folder URL the archive is fetched from (default: env SAMLAB_CIFAR_BASE_URL, else the official site). */
  readonly baseUrl?: string
  /** Expected MD5 of the archive (default: the published one). For mirrors and tests only. */
  readonly md5?: string
  /**
   * A partial download folder with no write for this long belongs to a dead download and is
   * removed (default 10 minutes; a live download writes continuously and fails after
   * `idleTimeoutMs` without data).
   */
  readonly partialStaleMs?: number
  /** Largest archive accepted, in bytes (default: the official archive's size when its MD5 is the published one). */
  readonly maxBytes?: number
  /** As in `readSplit`: the extracted files are checked with these record counts before the folder is marked complete. */
  readonly expectedRecords?: "official" | "any"
}

/** Written inside a dataset folder once it is complete; its absence means "not ours". */
export const COMPLETE_MARKER = ".samlab-complete"
const PARTIAL_PREFIX = ".partial-"

export const resolveCacheDir = (cacheDir?: string): string => cacheDir ?? (process.env["SAMLAB_CACHE_DIR"] || join(homedir(), ".cache", "samlab"))

/** The cached dataset folder if a completed one exists; throws `CacheCorruptError` for a foreign one. */
export const cachedFolder = (layout: DatasetLayout, options: CacheOptions = {}): string | undefined => {
  const target = join(resolveCacheDir(options.cacheDir), layout.folder)
  if (!existsSync(target)) return undefined
  if (!existsSync(join(target, COMPLETE_MARKER))) throw new CacheCorruptError(target)
  return target
}

/**
 * The dataset folder in the cache, downloading and extracting the archive first when needed.
 * All work happens in a private `.partial-<pid>-*` folder beside the target: download to a
 * temp file, verify the MD5, gunzip and extract, mark complete, then one rename into place.
 * An interrupted run leaves only a partial folder, never a half-filled target; a later run
 * removes it once nothing has been written in it for `partialStaleMs`. Judged by activity,
 * never by PID, so a download running in another PID namespace (a container sharing the
 * cache) is never taken for dead. Two processes racing both succeed: the second rename loses and its copy is dropped.
 */
export const ensureCached = async (layout: DatasetLayout, options: CacheOptions = {}): Promise<string> => {
  const existing = cachedFolder(layout, options)
  if (existing) return existing
  const cacheDir = resolveCacheDir(options.cacheDir)
  const target = join(cacheDir, layout.folder)
  const baseUrl = (options.baseUrl ?? (process.env["SAMLAB_CIFAR_BASE_URL"] || DEFAULT_BASE_URL)).replace(/\/+$/, "")
  const url = `${baseUrl}/${layout.archive}`
  const expectedMd5 = (options.md5 ?? layout.md5).toLowerCase()
  mkdirSync(cacheDir, { recursive: true })
  removeStalePartials(cacheDir, options.partialStaleMs ?? 10 * 60_000)
  const work = mkdtempSync(join(cacheDir, `${PARTIAL_PREFIX}${process.pid}-`))
  try {
    const archivePath = join(work, layout.archive)
    let md5: string
    try {
      // 5% above the official size: a wrong body stops early, before the MD5 would reject it
      const maxBytes = options.maxBytes ?? (options.md5 === undefined ? Math.ceil(layout.archiveBytes * 1.05) : undefined)
      md5 = (await downloadToFile(url, archivePath, { ...options, ...(maxBytes !== undefined ? { maxBytes } : {}) })).md5
    } catch (e) {
      if (e instanceof TransferError) throw new DatasetUnavailableError(layout.name, url, layout.envVar, `downloading ${url} failed: ${e.reason}`)
      throw e
    }
    if (md5 !== expectedMd5) throw new ArchiveChecksumError(url, expectedMd5, md5)
    const extracted = join(work, "extract")
    await extractArchive(archivePath, layout.archive, extracted)
    const folder = join(extracted, layout.folder)
    for (const f of [...layout.files.train, ...layout.files.test]) {
      if (!existsSync(join(folder, f))) throw new ArchiveFormatError(layout.archive, -1, `archive lacks ${layout.folder}/${f}`)
    }
    // an archive with the right MD5 but unreadable records is never marked complete
    readDatasetDir(layout.name, folder, { expectedRecords: options.expectedRecords ?? "official" })
    writeFileSync(join(folder, COMPLETE_MARKER), `${url}\nmd5 ${md5}\n`)
    try {
      renameSync(folder, target)
    } catch (e) {
      // Another process finished first: its completed folder is as good as ours.
      if (!existsSync(join(target, COMPLETE_MARKER))) throw e
    }
    return target
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * Gunzips and untars `archivePath` into `dest` (which must not exist yet), streaming: the archive
 * is read, inflated and written a chunk at a time, so memory stays at a few chunks whatever its size.
 */
export const extractArchive = async (archivePath: string, archiveName: string, dest: string): Promise<void> => {
  mkdirSync(dest, { recursive: true })
  let fd: number | undefined
  const clash = (path: string, e: unknown): unknown => {
    const code = (e as NodeJS.ErrnoException).code
    return code === "EEXIST" || code === "ENOTDIR" || code === "EISDIR"
      ? new ArchiveFormatError(archiveName, -1, `entry ${path} clashes with another entry (a file where a folder is, or the reverse)`)
      : e
  }
  const parser = tarParser(archiveName, {
    entry: (path, type) => {
      const target = join(dest, path)
      try {
        if (type === "directory") mkdirSync(target, { recursive: true })
        else {
          mkdirSync(dirname(target), { recursive: true })
          fd = openSync(target, "w")
        }
      } catch (e) {
        throw clash(path, e)
      }
    },
    data: (chunk) => void writeAll(fd!, chunk),
    endEntry: () => {
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    }
  })
  const input = createReadStream(archivePath)
  const gunzip = createGunzip({ chunkSize: 1 << 20 })
  input.on("error", (e) => gunzip.destroy(e))
  input.pipe(gunzip)
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) parser.push(chunk)
    parser.end()
  } catch (e) {
    // zlib's errors carry Z_* codes (a corrupt or truncated stream); the parser's and the file system's pass through
    const code = (e as NodeJS.ErrnoException).code
    if (typeof code === "string" && code.startsWith("Z_")) throw new ArchiveFormatError(archiveName, -1, `not a valid gzip stream: ${(e as Error).message}`)
    throw e
  } finally {
    if (fd !== undefined) closeSync(fd)
    input.destroy()
    gunzip.destroy()
  }
}

const writeAll = (fd: number, chunk: Uint8Array) => {
  for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done, chunk.length - done)
}

/** Removes partial folders nothing has written to for `staleMs` (downloads killed midway, in any namespace). */
const removeStalePartials = (cacheDir: string, staleMs: number): void => {
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith(PARTIAL_PREFIX)) continue
    const path = join(cacheDir, name)
    const lastWrite = latestWrite(path)
    if (lastWrite !== undefined && Date.now() - lastWrite > staleMs) rmSync(path, { recursive: true, force: true })
  }
}

/** The newest mtime in a folder tree (undefined when it vanished meanwhile: someone else's finished work). */
const latestWrite = (path: string): number | undefined => {
  try {
    const st = statSync(path)
    if (!st.isDirectory()) return st.mtimeMs
    return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => latestWrite(join(path, n)) ?? 0))
  } catch {
    return undefined
  }
}
