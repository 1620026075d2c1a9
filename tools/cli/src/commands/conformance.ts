import { selectBackend } from "@samlab/core-tensor"
import { readFixture } from "@samlab/golden"
import { UsageError, parseArgs, rejectUnknown } from "../args.js"
import { runConformance } from "../conformance.js"

/** `samlab conformance <fixture.json>`: prints exactly one JSON object in the fixture's layout. */
export const conformanceCommand = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv)
  rejectUnknown(args, [])
  const file = args.positionals[0]
  if (!file) throw new UsageError("missing the fixture file")
  const fixture = readFixture(file)
  await selectBackend({ log: (line) => process.stderr.write(`${line}\n`) })
  process.stdout.write(`${JSON.stringify(runConformance(fixture))}\n`)
  return 0
}
