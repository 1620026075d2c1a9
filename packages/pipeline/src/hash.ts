import { createHash } from "node:crypto"

/** JSON with object keys sorted, so equal values always give equal text. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, (v as Record<string, unknown>)[k]])
      )
    }
    return v
  })

export const contentHash = (...parts: readonly unknown[]): string => {
  const h = createHash("sha256")
  for (const p of parts) h.update(canonicalJson(p) ?? "undefined").update("\u0000")
  return h.digest("hex").slice(0, 24)
}

/** SHA-256 of text or bytes, hex: the integrity check stored beside every cached output and checkpoint. */
export const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex")
