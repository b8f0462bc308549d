/**
 * A small, strict XML reader for the parts of an Office Open XML workbook (XML 1.0 without a
 * DOCTYPE: Excel never writes one, and refusing it means no entity expansion to guard). It builds
 * a plain tree: elements by local name (`x:row` and `row` are the same), attributes as written,
 * text with the five predefined entities and character references decoded. Anything malformed
 * (a tag not closed, a closing tag that does not match, a bare `&`, text outside the root) is an
 * {@link XmlSyntaxError} with the byte offset and line, so the caller can name the part.
 */

export type XmlElement = {
  /** Local name, the namespace prefix dropped (`x:c` -> `c`). */
  name: string
  /** Attributes as written, prefixes kept (`r:id`). */
  attributes: Record<string, string>
  children: XmlNode[]
}

export type XmlNode = XmlElement | string

export class XmlSyntaxError extends Error {
  readonly line: number
  readonly reason: string

  constructor(text: string, offset: number, reason: string) {
    const line = lineAt(text, offset)
    super(`line ${line}: ${reason}`)
    this.name = 'XmlSyntaxError'
    this.line = line
    this.reason = reason
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line += 1
  return line
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
const ENTITY = /&([^;<&\s]{1,12});|&/g

/** Text with its entity and character references decoded; a bare `&` or an unknown entity is an error. */
function decodeEntities(raw: string, text: string, at: number): string {
  if (!raw.includes('&')) return raw
  return raw.replace(ENTITY, (match: string, name: string | undefined, offset: number) => {
    const where = at + offset
    if (name === undefined) throw new XmlSyntaxError(text, where, 'a bare "&" (write &amp;)')
    const predefined = PREDEFINED[name]
    if (predefined !== undefined) return predefined
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : name.startsWith('#') ? parseInt(name.slice(1), 10) : NaN
    const digits = name.startsWith('#x') ? /^#x[0-9a-fA-F]+$/ : /^#[0-9]+$/
    if (!digits.test(name) || !Number.isFinite(code) || code <= 0 || code > 0x10ffff) {
      throw new XmlSyntaxError(text, where, `unknown entity ${match}`)
    }
    return String.fromCodePoint(code)
  })
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1)
const NAME = /[^\s/>="'<]+/y
const ATTRIBUTE = /\s+([^\s=/>"'<]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y
const TRAILING = /\s*(\/?)$/y

/** The end of a start tag: the `>` outside quoted attribute values, or -1. */
function tagEnd(text: string, from: number): number {
  let quote = ''
  for (let i = from; i < text.length; i++) {
    const c = text[i]
    if (quote) {
      if (c === quote) quote = ''
    } else if (c === '"' || c === "'") {
      quote = c
    } else if (c === '>') {
      return i
    }
  }
  return -1
}

/** The element of a start tag `<name a="1" b='2'>` (without the brackets), and whether it closes itself. */
function startTag(text: string, start: number, end: number): { element: XmlElement; qname: string; selfClosing: boolean } {
  const body = text.slice(start + 1, end)
  NAME.lastIndex = 0
  const name = NAME.exec(body)?.[0]
  if (!name) throw new XmlSyntaxError(text, start, 'a tag without a name')
  const attributes: Record<string, string> = {}
  let at = name.length
  for (;;) {
    ATTRIBUTE.lastIndex = at
    const match = ATTRIBUTE.exec(body)
    if (!match) break
    const [whole, key = '', double, single] = match
    if (Object.hasOwn(attributes, key)) throw new XmlSyntaxError(text, start + 1 + at, `attribute ${key} given twice`)
    attributes[key] = decodeEntities(double ?? single ?? '', text, start + 1 + at)
    at += whole.length
  }
  TRAILING.lastIndex = at
  const rest = TRAILING.exec(body)
  if (!rest) throw new XmlSyntaxError(text, start + 1 + at, `malformed attributes in <${name}>: ${JSON.stringify(body.slice(at, at + 40))}`)
  return { element: { name: localName(name), attributes, children: [] }, qname: name, selfClosing: rest[1] === '/' }
}

/** A whole start tag whose attributes are all well-formed: name, attributes, `/` of a self-closing tag. */
const START_TAG = /<([^\s/>="'<!?]+)((?:\s+[^\s=/>"'<]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y
const QUICK_ATTRIBUTE = /([^\s=/>"'<]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/g

/** The attributes of a start tag the quick pattern matched; a repeated attribute is still an error. */
function attributesOf(attributeText: string, text: string, at: number): Record<string, string> {
  const attributes: Record<string, string> = {}
  if (attributeText === '') return attributes
  for (const [, key = '', double, single] of attributeText.matchAll(QUICK_ATTRIBUTE)) {
    if (Object.hasOwn(attributes, key)) throw new XmlSyntaxError(text, at, `attribute ${key} given twice`)
    attributes[key] = decodeEntities(double ?? single ?? '', text, at)
  }
  return attributes
}

/** The root element of an XML document. Throws {@link XmlSyntaxError} when the text is not well-formed. */
export function parseXml(source: string): XmlElement {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source
  const stack: { element: XmlElement; qname: string; at: number }[] = []
  let root: XmlElement | null = null

  const addText = (raw: string, at: number, decode: boolean) => {
    const top = stack.at(-1)
    if (!top) {
      if (raw.trim() !== '') throw new XmlSyntaxError(text, at, `text outside the root element: ${JSON.stringify(raw.trim().slice(0, 40))}`)
      return
    }
    top.element.children.push(decode ? decodeEntities(raw, text, at) : raw)
  }

  let i = 0
  while (i < text.length) {
    const lt = text.indexOf('<', i)
    if (lt === -1) {
      addText(text.slice(i), i, true)
      break
    }
    if (lt > i) addText(text.slice(i, lt), i, true)
    if (text.startsWith('<?', lt)) {
      const close = text.indexOf('?>', lt + 2)
      if (close === -1) throw new XmlSyntaxError(text, lt, 'a processing instruction is never closed')
      i = close + 2
    } else if (text.startsWith('<!--', lt)) {
      const close = text.indexOf('-->', lt + 4)
      if (close === -1) throw new XmlSyntaxError(text, lt, 'a comment is never closed')
      i = close + 3
    } else if (text.startsWith('<![CDATA[', lt)) {
      const close = text.indexOf(']]>', lt + 9)
      if (close === -1) throw new XmlSyntaxError(text, lt, 'a CDATA section is never closed')
      addText(text.slice(lt + 9, close), lt, false)
      i = close + 3
    } else if (text.startsWith('<!', lt)) {
      throw new XmlSyntaxError(text, lt, 'a DOCTYPE or other declaration (not allowed in a workbook part)')
    } else if (text.startsWith('</', lt)) {
      const close = text.indexOf('>', lt)
      if (close === -1) throw new XmlSyntaxError(text, lt, 'a closing tag is never ended with ">"')
      const qname = text.slice(lt + 2, close).trim()
      const top = stack.pop()
      if (!top) throw new XmlSyntaxError(text, lt, `closing tag </${qname}> with no element open`)
      if (top.qname !== qname) throw new XmlSyntaxError(text, lt, `closing tag </${qname}> does not match <${top.qname}> (line ${lineAt(text, top.at)})`)
      i = close + 1
    } else {
      START_TAG.lastIndex = lt
      const quick = START_TAG.exec(text)
      let close: number
      let tag: { element: XmlElement; qname: string; selfClosing: boolean }
      if (quick) {
        // The common case in one match; anything unusual goes the slow way, which names the fault.
        const [whole, qname = '', attributeText = '', slash] = quick
        close = lt + whole.length - 1
        tag = { element: { name: localName(qname), attributes: attributesOf(attributeText, text, lt), children: [] }, qname, selfClosing: slash === '/' }
      } else {
        close = tagEnd(text, lt + 1)
        if (close === -1) throw new XmlSyntaxError(text, lt, 'a start tag is never ended with ">"')
        tag = startTag(text, lt, close)
      }
      const { element, qname, selfClosing } = tag
      const parent = stack.at(-1)
      if (parent) parent.element.children.push(element)
      else if (root) throw new XmlSyntaxError(text, lt, `a second root element <${element.name}>`)
      else root = element
      if (!selfClosing) stack.push({ element, qname, at: lt })
      i = close + 1
    }
  }
  const open = stack.at(-1)
  if (open) throw new XmlSyntaxError(text, open.at, `<${open.qname}> is never closed (the part ends first)`)
  if (!root) throw new XmlSyntaxError(text, 0, 'no root element')
  return root
}

/** The child elements of an element named `name` (local name). */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== 'string' && child.name === name)
}

/** The first child element named `name`, or undefined. */
export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child): child is XmlElement => typeof child !== 'string' && child.name === name)
}

/** The text directly inside an element (its text children joined; child elements ignored). */
export function ownText(element: XmlElement): string {
  return element.children.filter((child): child is string => typeof child === 'string').join('')
}
