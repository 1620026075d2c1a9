import { Cause, Effect, Exit, Option } from "effect"
import type { AnyPipeline } from "./pipeline.js"
import { makePlan } from "./plan.js"

/** A printable account of a pipeline: steps and their wiring, presets, and the config with defaults. */
export interface PipelineDescription {
  readonly name: string
  readonly description: string
  readonly steps: ReadonlyArray<{
    readonly name: string
    readonly scope: "cell" | "aggregate"
    readonly needs: readonly string[]
    readonly stored: boolean
    readonly description: string
  }>
  readonly presets: Readonly<Record<string, { readonly cells: readonly string[]; readonly config: unknown } | { readonly error: string }>>
  /** The config with every default filled, or why defaults alone do not make a valid config. */
  readonly defaults: { readonly config: unknown; readonly cells: readonly string[] } | { readonly error: string }
}

const planSummary = (pipeline: AnyPipeline, preset?: string) => {
  const exit = Effect.runSyncExit(makePlan(pipeline, { preset }))
  if (Exit.isSuccess(exit)) return { config: exit.value.encoded, cells: exit.value.cells.map((c) => c.id) }
  return { error: Option.match(Cause.findErrorOption(exit.cause), { onSome: (e) => e.message, onNone: () => Cause.pretty(exit.cause) }) }
}

export const describePipeline = (pipeline: AnyPipeline): PipelineDescription => ({
  name: pipeline.name,
  description: pipeline.description,
  steps: pipeline.nodes.map((n) => ({
    name: n.step.name,
    scope: n.scope,
    needs: n.scope === "cell" ? n.needs : [...n.cellNeeds.map((c) => `cells.${c}`), ...n.needs],
    stored: n.step.output !== undefined,
    description: n.step.description
  })),
  presets: Object.fromEntries(Object.keys(pipeline.presets).map((p) => [p, planSummary(pipeline, p)])),
  defaults: planSummary(pipeline)
})

export const formatDescription = (d: PipelineDescription): string => {
  const lines = [`pipeline ${d.name}${d.description ? `: ${d.description}` : ""}`, "", "steps:"]
  for (const s of d.steps)
    lines.push(
      `  ${s.scope === "cell" ? "per cell " : "aggregate"}  ${s.name}${s.needs.length ? ` <- ${s.needs.join(", ")}` : ""}${s.stored ? "" : " (not stored)"}${s.description ? `  -- ${s.description}` : ""}`
    )
  lines.push("", "config (defaults):")
  lines.push(
    ...("error" in d.defaults
      ? [`  ${d.defaults.error}`]
      : JSON.stringify(d.defaults.config, null, 2)
          .split("\n")
          .map((l) => `  ${l}`))
  )
  lines.push("", "presets:")
  for (const [name, p] of Object.entries(d.presets)) {
    lines.push("error" in p ? `  ${name}: invalid: ${p.error}` : `  ${name}: ${p.cells.length} cell(s): ${p.cells.join("; ")}`)
  }
  return lines.join("\n")
}
