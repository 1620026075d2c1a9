/** A service URL as it may be printed: the password (and any `password` query parameter) replaced by `***`. */
export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url)
    if (u.password) u.password = "***"
    if (u.searchParams.has("password")) u.searchParams.set("password", "***")
    return u.toString()
  } catch {
    // not a URL we can parse: print only its scheme, never what might be a secret
    return `${url.split(":")[0] ?? "?"}://(unparsable URL)`
  }
}

/** A `postgres://` URL split into what `pg` connects with and the schema samlab's tables live in (`?schema=`, default `public`). */
export const parseStoreUrl = (url: string): { readonly connectionString: string; readonly schema: string } => {
  const u = new URL(url)
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") throw new Error(`a results store URL must start with postgres://, got ${redactUrl(url)}`)
  const schema = u.searchParams.get("schema") ?? "public"
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema must be a lower-case SQL identifier, got "${schema}" in ${redactUrl(url)}`)
  u.searchParams.delete("schema")
  return { connectionString: u.toString(), schema }
}
