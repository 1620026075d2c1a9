import { TaggedError } from "@samlab/core-tensor"

/** Parsed command line: positionals, repeatable `--key value` options and boolean `--flag`s. */
export interface ParsedArgs {
  readonly positionals: readonly string[]
  readonly options: Readonly<Record<string, readonly string[]>>
  readonly flags: ReadonlySet<string>
}

export class UsageError extends TaggedError("UsageError") {}

/** `booleanFlags` take no value; every other `--name` takes the next argument (or `--name=value`). */
export const parseArgs = (argv: readonly string[], booleanFlags: readonly string[] = []): ParsedArgs => {
  const positionals: string[] = []
  const options: Record<string, string[]> = {}
  const flags = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith("--")) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf("=")
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2)
    if (booleanFlags.includes(name)) {
      flags.add(name)
      continue
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined) throw new UsageError(`option --${name} needs a value`)
    ;(options[name] ??= []).push(value)
  }
  return { positionals, options, flags }
}

export const single = (args: ParsedArgs, name: string): string | undefined => {
  const values = args.options[name]
  if (values && values.length > 1) throw new UsageError(`option --${name} was given ${values.length} times`)
  return values?.[0]
}

export const numberOption = (args: ParsedArgs, name: string): number | undefined => {
  const raw = single(args, name)
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isFinite(n)) throw new UsageError(`option --${name} must be a number, got "${raw}"`)
  return n
}

export const rejectUnknown = (args: ParsedArgs, known: readonly string[]): void => {
  for (const name of [...Object.keys(args.options), ...args.flags]) if (!known.includes(name)) throw new UsageError(`unknown option --${name}`)
}

/** A whole number of at least 1 (`--concurrency 0`, `-1` or `1.5` are usage errors). */
export const positiveIntOption = (args: ParsedArgs, name: string): number | undefined => {
  const n = numberOption(args, name)
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`option --${name} must be a whole number of at least 1, got "${single(args, name)}"`)
  return n
}
