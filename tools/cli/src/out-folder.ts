import { constants } from "node:fs"
import { access, mkdir, stat } from "node:fs/promises"
import { dirname } from "node:path"
import { Data } from "effect"

/** The run folder cannot be created or written: which folder, and why in words (with the errno code). */
export class OutFolderError extends Data.TaggedError("OutFolderError")<{ readonly path: string; readonly reason: string }> {
  override get message(): string {
    return `cannot write the run folder ${this.path}: ${this.reason}`
  }
}

/**
 * Creates the run folder (and its parents) and checks that it can be written, before any work.
 * A recursive mkdir under a read-only mount fails with ENOENT on Node 20, which hides the cause:
 * the error then names the nearest existing folder above and what is wrong with it.
 */
export const prepareOutFolder = async (path: string): Promise<void> => {
  try {
    await mkdir(path, { recursive: true })
  } catch (e) {
    throw new OutFolderError({ path, reason: await whyNotCreatable(path, e) })
  }
  const denied = await notWritable(path)
  if (denied) throw new OutFolderError({ path, reason: `it is ${denied}` })
}

const whyNotCreatable = async (path: string, cause: unknown): Promise<string> => {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const found = await stat(dir).catch(() => undefined)
    if (found) {
      if (!found.isDirectory()) return `${dir} is a file, not a folder (ENOTDIR)`
      const denied = await notWritable(dir)
      return denied ? `${dir} is ${denied}` : cause instanceof Error ? cause.message : String(cause)
    }
    if (dirname(dir) === dir) return cause instanceof Error ? cause.message : String(cause)
  }
}

/** Why a folder cannot be written, or undefined when it can. */
const notWritable = async (dir: string): Promise<string | undefined> => {
  try {
    await access(dir, constants.W_OK)
    return undefined
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === "EROFS") return "on a read-only file system (EROFS)"
    if (code === "EACCES" || code === "EPERM") return `not writable by this user (${code})`
    return e instanceof Error ? e.message : String(e)
  }
}
