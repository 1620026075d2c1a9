import { probeBackends, selectBackend } from "@samlab/core-tensor"
import { parseArgs, rejectUnknown } from "../args.js"

/** `samlab backends`: what is present, and what `auto` (or SAMLAB_BACKEND) would pick. */
export const backendsCommand = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv, ["json"])
  rejectUnknown(args, ["json"])
  const rows = await probeBackends()
  let picked: string
  try {
    picked = (await selectBackend({ log: () => {} })).name
  } catch (e) {
    picked = `none (${e instanceof Error ? e.message : String(e)})`
  }
  if (args.flags.has("json")) {
    process.stdout.write(`${JSON.stringify({ backends: rows, picked })}\n`)
    return 0
  }
  for (const r of rows) process.stdout.write(`${r.available ? "yes" : "no "}  ${r.name.padEnd(15)} ${r.available ? `${r.packageName} ${r.version}` : r.reason}\n`)
  process.stdout.write(`picked: ${picked}${process.env["SAMLAB_BACKEND"] ? ` (SAMLAB_BACKEND=${process.env["SAMLAB_BACKEND"]})` : ""}\n`)
  return 0
}
