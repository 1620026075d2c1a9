import { type ProbedBackend, describeAdapter, probeBackends, selectBackend } from "@samlab/core-tensor"
import { parseArgs, rejectUnknown } from "../args.js"

const row = (r: ProbedBackend): string => {
  const what = r.available ? `${r.packageName} ${r.version}` : r.reason
  const on = r.adapter ? `\n     adapter: ${describeAdapter(r.adapter)}${r.adapter.software ? " (software)" : ""}` : ""
  return `${r.available ? "yes" : "no "}  ${r.name.padEnd(15)} ${what}${on}\n`
}

/** `samlab backends`: what is present, why `auto` takes or passes over each, the GPU adapter, and what `auto` (or SAMLAB_BACKEND) picks. */
export const backendsCommand = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv, ["json"])
  rejectUnknown(args, ["json"])
  const rows = await probeBackends()
  let picked: string
  try {
    const info = await selectBackend({ log: () => {} })
    picked = info.adapter ? `${info.name} on ${describeAdapter(info.adapter)}` : info.name
  } catch (e) {
    picked = `none (${e instanceof Error ? e.message : String(e)})`
  }
  if (args.flags.has("json")) {
    process.stdout.write(`${JSON.stringify({ backends: rows, picked })}\n`)
    return 0
  }
  for (const r of rows) process.stdout.write(row(r))
  process.stdout.write(`picked: ${picked}${process.env["SAMLAB_BACKEND"] ? ` (SAMLAB_BACKEND=${process.env["SAMLAB_BACKEND"]})` : ""}\n`)
  return 0
}
