import { selectBackend } from "@samlab/core-tensor"
import { readFixture } from "@samlab/golden"
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { runConformance } from "../conformance.js"
import { commandFailure } from "../errors.js"

/** `samlab conformance <fixture.json>`: prints exactly one JSON object in the fixture's layout. */
export const conformanceCli = Command.make(
  "conformance",
  { fixture: Argument.String("fixture").pipe(Argument.withDescription("a golden SAM-family fixture (.json)")) },
  ({ fixture }) =>
    Effect.tryPromise({
      try: async () => {
        const f = readFixture(fixture)
        await selectBackend({ log: (line) => process.stderr.write(`${line}\n`) })
        process.stdout.write(`${JSON.stringify(runConformance(f))}\n`)
      },
      catch: commandFailure("conformance")
    })
).pipe(Command.withDescription("run a golden SAM-family fixture and print {lossBeforeEachStep, layersAfterEachStep} as JSON"))
