import { type ProbedBackend, describeAdapter, probeBackends, selectBackend } from "@samlab/core-tensor"
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { commandFailure } from "../errors.js"

const row = (r: ProbedBackend): string => {
  const what = r.available ? `${r.packageName} ${r.version}` : r.reason
  const on = r.adapter ? `\n     adapter: ${describeAdapter(r.adapter)}${r.adapter.software ? " (software)" : ""}` : ""
  return `${r.available ? "yes" : "no "}  ${r.name.padEnd(15)} ${what}${on}\n`
}

/** What is present, why `auto` takes or passes over each, the GPU adapter, and what `auto` (or SAMLAB_BACKEND) picks. */
const backends = async (json: boolean): Promise<void> => {
  const rows = await probeBackends()
  let picked: string
  try {
    const info = await selectBackend({ log: () => {} })
    picked = info.adapter ? `${info.name} on ${describeAdapter(info.adapter)}` : info.name
  } catch (e) {
    picked = `none (${e instanceof Error ? e.message : String(e)})`
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ backends: rows, picked })}\n`)
    return
  }
  for (const r of rows) process.stdout.write(row(r))
  process.stdout.write(`picked: ${picked}${process.env["SAMLAB_BACKEND"] ? ` (SAMLAB_BACKEND=${process.env["SAMLAB_BACKEND"]})` : ""}\n`)
}

export const backendsCli = Command.make(
  "backends",
  { json: Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("print one JSON object")) },
  ({ json }) => Effect.tryPromise({ try: () => backends(json), catch: commandFailure("backends") })
).pipe(Command.withDescription("which tfjs backends are present, the GPU adapter, why each was or was not taken, and which one auto (or SAMLAB_BACKEND) picks"))
