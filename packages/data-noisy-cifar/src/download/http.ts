import { createHash } from "node:crypto"
import { createWriteStream } from "node:fs"
import { Readable, Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import { EnvHttpProxyAgent, fetch } from "undici"
import { TaggedError } from "@samlab/core-tensor"

/** A failed transfer; `reason` says why in one line (network error, HTTP status, cut-off body). */
export class TransferError extends TaggedError("TransferError") {
  constructor(
    readonly url: string,
    readonly reason: string
  ) {
    super(`${url}: ${reason}`)
  }
}

export interface DownloadOptions {
  /** Give up when the connection is idle this long (default 60 s). */
  readonly idleTimeoutMs?: number
  /** Refuse a body larger than this many bytes (by its Content-Length, or as it arrives). */
  readonly maxBytes?: number
  /** Called with (bytes so far, total or undefined) as data arrives. */
  readonly onProgress?: (received: number, total: number | undefined) => void
}

export interface Downloaded {
  readonly bytes: number
  readonly md5: string
}

/**
 * Streams `url` (http or https, following redirects) into `dest` with `fetch` (undici), hashing
 * as it goes. Honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (undici's `EnvHttpProxyAgent`).
 * Rejects with `TransferError` on network errors, non-200 statuses, idle timeouts, bodies
 * cut short of their Content-Length and bodies above `maxBytes`. The caller owns `dest`
 * (and removes it on failure).
 */
export const downloadToFile = async (url: string, dest: string, options: DownloadOptions = {}): Promise<Downloaded> => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new TransferError(url, "not a valid URL")
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new TransferError(url, `unsupported protocol ${parsed.protocol}`)
  const idleMs = options.idleTimeoutMs ?? 60_000
  const dispatcher = new EnvHttpProxyAgent({ headersTimeout: idleMs, bodyTimeout: idleMs })
  try {
    const response = await fetch(parsed, { dispatcher, redirect: "follow" }).catch((e: unknown) => {
      throw new TransferError(url, describe(e))
    })
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel()
      throw new TransferError(url, `HTTP ${response.status} ${response.statusText ?? ""}`.trim())
    }
    const length = response.headers.get("content-length")
    const total = length !== null ? Number(length) : undefined
    const maxBytes = options.maxBytes ?? Infinity
    if (total !== undefined && total > maxBytes) {
      await response.body.cancel()
      throw new TransferError(url, `the body is ${total} bytes, more than the expected ${maxBytes}`)
    }
    const md5 = createHash("md5")
    let bytes = 0
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length
        if (bytes > maxBytes) return done(new Error(`more than the expected ${maxBytes} bytes`))
        md5.update(chunk)
        options.onProgress?.(bytes, total)
        done(null, chunk)
      }
    })
    try {
      await pipeline(Readable.fromWeb(response.body as never), tap, createWriteStream(dest))
    } catch (e) {
      throw new TransferError(url, `transfer interrupted after ${bytes}${total !== undefined ? ` of ${total}` : ""} bytes: ${describe(e)}`)
    }
    if (total !== undefined && bytes !== total) throw new TransferError(url, `transfer interrupted: got ${bytes} of ${total} bytes`)
    return { bytes, md5: md5.digest("hex") }
  } finally {
    await dispatcher.close().catch(() => undefined)
  }
}

/** One line: the innermost cause (undici wraps network errors in "fetch failed"). */
const describe = (e: unknown): string => {
  if (e instanceof Error) {
    const inner = e.cause instanceof Error ? e.cause : e
    const code = (inner as NodeJS.ErrnoException).code
    return code && !inner.message.includes(code) ? `${code}: ${inner.message}` : inner.message
  }
  return String(e)
}
