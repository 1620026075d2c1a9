import { createHash } from "node:crypto"
import { createWriteStream } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import { Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
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
  readonly maxRedirects?: number
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
 * Streams `url` (http or https, following redirects) into `dest`, hashing as it goes.
 * Rejects with `TransferError` on network errors, non-200 statuses, idle timeouts and bodies
 * cut short of their Content-Length. The caller owns `dest` (and removes it on failure).
 */
export const downloadToFile = async (url: string, dest: string, options: DownloadOptions = {}): Promise<Downloaded> => {
  const response = await openResponse(url, options, options.maxRedirects ?? 5)
  const total = response.headers["content-length"] !== undefined ? Number(response.headers["content-length"]) : undefined
  const maxBytes = options.maxBytes ?? Infinity
  if (total !== undefined && total > maxBytes) {
    response.destroy()
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
    await pipeline(response, tap, createWriteStream(dest))
  } catch (e) {
    throw new TransferError(url, `transfer interrupted after ${bytes}${total !== undefined ? ` of ${total}` : ""} bytes: ${describe(e)}`)
  }
  if (total !== undefined && bytes !== total) throw new TransferError(url, `transfer interrupted: got ${bytes} of ${total} bytes`)
  return { bytes, md5: md5.digest("hex") }
}

const openResponse = (url: string, options: DownloadOptions, redirectsLeft: number): Promise<http.IncomingMessage> =>
  new Promise((resolve, reject) => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      reject(new TransferError(url, "not a valid URL"))
      return
    }
    const client = parsed.protocol === "https:" ? https : parsed.protocol === "http:" ? http : undefined
    if (!client) {
      reject(new TransferError(url, `unsupported protocol ${parsed.protocol}`))
      return
    }
    const request = client.get(parsed, (response) => {
      const status = response.statusCode ?? 0
      const location = response.headers.location
      if (status >= 300 && status < 400 && location) {
        response.resume()
        if (redirectsLeft <= 0) reject(new TransferError(url, "too many redirects"))
        else openResponse(new URL(location, parsed).toString(), options, redirectsLeft - 1).then(resolve, reject)
        return
      }
      if (status !== 200) {
        response.resume()
        reject(new TransferError(url, `HTTP ${status} ${response.statusMessage ?? ""}`.trim()))
        return
      }
      resolve(response)
    })
    request.setTimeout(options.idleTimeoutMs ?? 60_000, () => request.destroy(new Error(`no data for ${options.idleTimeoutMs ?? 60_000} ms`)))
    request.on("error", (e) => reject(new TransferError(url, describe(e))))
  })

const describe = (e: unknown): string => {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code
    return code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message
  }
  return String(e)
}
