/** An `Error` whose `_tag` and `name` are its class's tag (see `TaggedError`). */
export interface TaggedError<Tag extends string> extends Error {
  readonly _tag: Tag
  readonly name: Tag
}

/** The class `TaggedError(tag)` returns: `Error`'s constructor and statics, building a `TaggedError<Tag>`. */
export interface TaggedErrorConstructor<Tag extends string> extends Omit<ErrorConstructor, "prototype"> {
  new (message?: string, options?: ErrorOptions): TaggedError<Tag>
  readonly prototype: TaggedError<Tag>
}

/**
 * Base of samlab's thrown errors: `class X extends TaggedError("X") { ... }` is a plain `Error`
 * whose `_tag` and `name` are "X" (own fields, typed as the literal), so plain code matches it
 * with `instanceof` and Effect code with `Effect.catchTag("X", ...)`. The constructor is
 * `Error`'s: subclasses pass their message (and options) to `super`.
 */
export const TaggedError = <const Tag extends string>(tag: Tag): TaggedErrorConstructor<Tag> =>
  class extends Error {
    readonly _tag: Tag = tag
    override readonly name: Tag = tag
  }
