import { Effect, Schema, SchemaAST, SchemaIssue } from "effect"
import { type ConfigIssue, ConfigDecodeError } from "./errors.js"

export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json }
export type JsonObject = { readonly [k: string]: Json }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** Deep merge of encoded configs: objects merge key by key, anything else (arrays included) is replaced. */
export const mergeConfig = (base: JsonObject, patch: JsonObject): JsonObject => {
  const out: Record<string, Json> = { ...base }
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k]
    out[k] = isObject(b) && isObject(v) ? mergeConfig(b as JsonObject, v as JsonObject) : v
  }
  return out
}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

const toConfigIssues = (issue: SchemaIssue.Issue): ConfigIssue[] =>
  formatIssues(issue).issues.map((i) => ({
    path: (i.path ?? []).map((p) => String(typeof p === "object" && p !== null && "key" in p ? p.key : p)).join("."),
    message: i.message
  }))

/** Decodes an encoded config with its Schema: defaults filled, ranges checked, unknown fields rejected. */
export const decodeConfig = <C, CE>(
  schema: Schema.Codec<C, CE>,
  encoded: unknown,
  where: { pipeline: string; step?: string | undefined }
): Effect.Effect<C, ConfigDecodeError> =>
  Schema.decodeUnknownEffect(schema)(encoded, { errors: "all", onExcessProperty: "error" }).pipe(
    Effect.mapError((e) => new ConfigDecodeError({ ...where, issues: toConfigIssues(e.issue) }))
  )

/** The encoded form of a decoded config (what `config.json` stores and a rerun decodes again). */
export const encodeConfig = <C, CE>(schema: Schema.Codec<C, CE>, config: C): JsonObject =>
  Schema.encodeSync(schema as Schema.Codec<C, CE>)(config) as unknown as JsonObject

/** Parses one `--set a.b=value` override: the value is read as JSON when it parses, else as a string. */
export const parseOverride = (text: string, pipeline: string): Effect.Effect<{ path: readonly string[]; value: Json }, ConfigDecodeError> => {
  const eq = text.indexOf("=")
  const rawPath = eq > 0 ? text.slice(0, eq).trim() : ""
  if (eq <= 0 || rawPath === "" || rawPath.split(".").some((p) => p === "")) {
    return Effect.fail(new ConfigDecodeError({ pipeline, issues: [{ path: rawPath, message: `override "${text}" is not of the form key.path=value` }] }))
  }
  const raw = text.slice(eq + 1)
  let value: Json
  try {
    value = JSON.parse(raw) as Json
  } catch {
    value = raw
  }
  return Effect.succeed({ path: rawPath.split("."), value })
}

/** The object shapes a node can take: itself, or each object member of a union (e.g. a model spec per kind). */
const objectShapes = (ast: SchemaAST.AST): SchemaAST.Objects[] => {
  const node = SchemaAST.toEncoded(ast)
  if (node._tag === "Objects") return [node]
  if (node._tag === "Union") return node.types.flatMap(objectShapes)
  return []
}

/** Field names the schema declares at `path` (across union members), or undefined when nothing there is an object. */
const structFieldsAt = (ast: SchemaAST.AST, path: readonly string[]): readonly string[] | undefined => {
  let nodes: SchemaAST.AST[] = [ast]
  for (const key of path) {
    nodes = nodes.flatMap(objectShapes).flatMap((o) => o.propertySignatures.filter((p) => p.name === key).map((p) => p.type))
    if (nodes.length === 0) return undefined
  }
  const shapes = nodes.flatMap(objectShapes)
  return shapes.length === 0 ? undefined : [...new Set(shapes.flatMap((o) => o.propertySignatures.map((p) => String(p.name))))]
}

/** `config` with the value at `path` replaced, not merged into: `--set model={...}` sets the whole model. */
const setAt = (config: JsonObject, path: readonly string[], value: Json): JsonObject => {
  const [key, ...rest] = path as [string, ...string[]]
  if (rest.length === 0) return { ...config, [key]: value }
  const child = config[key]
  return { ...config, [key]: setAt(isObject(child) ? (child as JsonObject) : {}, rest, value) }
}

/** Applies overrides in order to an encoded config, rejecting paths the schema does not declare. */
export const applyOverrides = <C, CE>(
  schema: Schema.Codec<C, CE>,
  encoded: JsonObject,
  overrides: readonly string[],
  pipeline: string
): Effect.Effect<JsonObject, ConfigDecodeError> =>
  Effect.gen(function* () {
    let out = encoded
    for (const text of overrides) {
      const { path, value } = yield* parseOverride(text, pipeline)
      const parent = path.slice(0, -1)
      const fields = structFieldsAt(schema.ast, parent)
      const leaf = path[path.length - 1]!
      if (!fields || !fields.includes(leaf)) {
        const known = fields ? `; fields there: ${fields.join(", ")}` : ""
        return yield* Effect.fail(new ConfigDecodeError({ pipeline, issues: [{ path: path.join("."), message: `unknown config field${known}` }] }))
      }
      out = setAt(out, path, value)
    }
    return out
  })
