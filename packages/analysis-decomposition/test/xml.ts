/**
 * A minimal XML well-formedness parser for the tests: elements, attributes (quoted, unique),
 * text with the five predefined entities and numeric references, comments. Throws on anything
 * malformed, naming the offset.
 */
export interface XmlElement {
  readonly name: string
  readonly attrs: Readonly<Record<string, string>>
  readonly children: ReadonlyArray<XmlElement | string>
}

const entity = (s: string, at: number): string =>
  s.replace(/&([^;\s]*);?/g, (m, body: string) => {
    if (!m.endsWith(";")) throw new Error(`bare & at ${at}`)
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }
    if (named[body] !== undefined) return named[body]!
    if (/^#\d+$/.test(body)) return String.fromCodePoint(Number(body.slice(1)))
    if (/^#x[0-9a-f]+$/i.test(body)) return String.fromCodePoint(parseInt(body.slice(2), 16))
    throw new Error(`unknown entity &${body}; at ${at}`)
  })

export const parseXml = (src: string): XmlElement => {
  let i = 0
  const skipMisc = () => {
    for (;;) {
      while (i < src.length && /\s/.test(src[i]!)) i++
      if (src.startsWith("<?", i)) i = src.indexOf("?>", i) + 2
      else if (src.startsWith("<!--", i)) i = src.indexOf("-->", i) + 3
      else return
    }
  }
  const element = (): XmlElement => {
    if (src[i] !== "<") throw new Error(`expected < at ${i}`)
    const m = /^<([A-Za-z_][\w:.-]*)/.exec(src.slice(i))
    if (!m) throw new Error(`bad tag name at ${i}`)
    const name = m[1]!
    i += m[0].length
    const attrs: Record<string, string> = {}
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))![0]
      i += ws.length
      if (src.startsWith("/>", i)) {
        i += 2
        return { name, attrs, children: [] }
      }
      if (src[i] === ">") {
        i++
        break
      }
      if (!ws) throw new Error(`expected whitespace before attribute at ${i}`)
      const a = /^([A-Za-z_][\w:.-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(src.slice(i))
      if (!a) throw new Error(`bad attribute at ${i}: ${src.slice(i, i + 30)}`)
      if (attrs[a[1]!] !== undefined) throw new Error(`duplicate attribute ${a[1]} at ${i}`)
      attrs[a[1]!] = entity(a[3] ?? a[4] ?? "", i)
      i += a[0].length
    }
    const children: Array<XmlElement | string> = []
    for (;;) {
      if (i >= src.length) throw new Error(`unclosed <${name}>`)
      if (src.startsWith("</", i)) {
        const close = /^<\/([A-Za-z_][\w:.-]*)\s*>/.exec(src.slice(i))
        if (!close || close[1] !== name) throw new Error(`</${close?.[1]}> closes <${name}> at ${i}`)
        i += close[0].length
        return { name, attrs, children }
      }
      if (src.startsWith("<!--", i)) {
        i = src.indexOf("-->", i) + 3
        continue
      }
      if (src[i] === "<") {
        children.push(element())
        continue
      }
      const end = src.indexOf("<", i)
      const text = src.slice(i, end < 0 ? src.length : end)
      children.push(entity(text, i))
      i += text.length
    }
  }
  skipMisc()
  const root = element()
  skipMisc()
  if (i < src.length) throw new Error(`content after the root element at ${i}`)
  return root
}

/** Every element below (and including) `e` for which `pred` holds, in document order. */
export const findAll = (e: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] => {
  const out: XmlElement[] = []
  const walk = (x: XmlElement) => {
    if (pred(x)) out.push(x)
    for (const c of x.children) if (typeof c !== "string") walk(c)
  }
  walk(e)
  return out
}

export const hasClass = (cls: string) => (e: XmlElement) => (e.attrs["class"] ?? "").split(/\s+/).includes(cls)

export const textOf = (e: XmlElement): string => e.children.map((c) => (typeof c === "string" ? c : textOf(c))).join("")
