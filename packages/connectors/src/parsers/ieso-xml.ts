/**
 * A small strict XML reader for the IESO public reports (`reports-public.ieso.ca`): elements,
 * attributes, text, namespaces (default and prefixed), the five predefined entities and
 * numeric character references, comments, processing instructions and CDATA sections. A
 * DOCTYPE (and with it any other entity) is refused: IESO reports carry none, and a reader
 * that expands declared entities is a liability. Whatever is not well-formed XML throws a
 * {@link ParseError} naming the physical line.
 *
 * No XML library is in the tree and the IESO documents are small (a few KB), so the whole
 * document is read into a tree of {@link XmlElement}s.
 */
import { ParseError } from '../errors.ts'

/** One element: its local name, namespace URI, attributes (by qualified name), children and text. */
export type XmlElement = {
  /** Local name, without prefix (`DocTitle`). */
  name: string
  /** Namespace URI ('' when none is in scope). */
  ns: string
  /** Attributes by their name as written (`docID`, `xsi:schemaLocation`); namespace declarations included. */
  attributes: Record<string, string>
  children: XmlElement[]
  /** The element's own character data (entities resolved, CDATA included), children's text excluded. */
  text: string
  /** Physical line (1-based) of the start tag. */
  line: number
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace'
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
const NAME = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/y

/**
 * The root element of an XML document. Throws a {@link ParseError} (field `(xml)`) at the
 * first thing that is not well-formed: a missing or mismatched end tag, an unknown entity, an
 * undeclared prefix, a duplicate attribute, text after the root.
 */
export function readXml(text: string, file: string): XmlElement {
  return new XmlReader(text, file).document()
}

/** The children of `element` with local name `name` (in the element's own namespace). */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name && child.ns === element.ns)
}

/** The one child of `element` named `name`, or undefined when there is none or more than one. */
export function onlyChild(element: XmlElement, name: string): XmlElement | undefined {
  const found = childrenNamed(element, name)
  return found.length === 1 ? found[0] : undefined
}

class XmlReader {
  private at = 0
  /** Index up to which newlines have been counted, and the line there. */
  private countedTo = 0
  private countedLine = 1

  constructor(
    private readonly text: string,
    private readonly file: string
  ) {}

  private lineAt(index: number): number {
    if (index < this.countedTo) {
      this.countedTo = 0
      this.countedLine = 1
    }
    for (let i = this.countedTo; i < index; i++) if (this.text.charCodeAt(i) === 10) this.countedLine++
    this.countedTo = index
    return this.countedLine
  }

  private fail(reason: string, index = this.at): never {
    throw new ParseError({
      file: this.file,
      line: this.lineAt(Math.min(index, this.text.length)),
      field: '(xml)',
      value: this.text.slice(index, index + 60),
      reason: `not well-formed XML: ${reason}`,
    })
  }

  document(): XmlElement {
    const text = this.text
    if (text.charCodeAt(0) === 0xfeff) this.at = 1
    this.misc()
    if (text.startsWith('<!DOCTYPE', this.at)) this.fail('a DOCTYPE is not accepted')
    if (text[this.at] !== '<') this.fail('expected the root element')
    const root = this.element(new Map([['xml', XML_NS]]))
    this.misc()
    if (this.at < text.length) this.fail('content after the root element')
    return root
  }

  /** Whitespace, comments and processing instructions (the prolog and what follows the root). */
  private misc(): void {
    const text = this.text
    for (;;) {
      while (this.at < text.length && /\s/.test(text[this.at] as string)) this.at++
      if (text.startsWith('<?', this.at)) this.skipPast('?>', 'unterminated processing instruction')
      else if (text.startsWith('<!--', this.at)) this.skipPast('-->', 'unterminated comment')
      else return
    }
  }

  private skipPast(end: string, reason: string): string {
    const close = this.text.indexOf(end, this.at)
    if (close < 0) this.fail(reason)
    const skipped = this.text.slice(this.at, close)
    this.at = close + end.length
    return skipped
  }

  private name(): string {
    NAME.lastIndex = this.at
    const m = NAME.exec(this.text)
    if (!m) this.fail('expected a name')
    this.at = NAME.lastIndex
    return m[0]
  }

  private space(): boolean {
    const start = this.at
    while (this.at < this.text.length && /\s/.test(this.text[this.at] as string)) this.at++
    return this.at > start
  }

  /** The element starting at `<`, with everything inside it. */
  private element(scope: ReadonlyMap<string, string>): XmlElement {
    const text = this.text
    const start = this.at
    this.at++ // <
    const qname = this.name()
    const attributes: Record<string, string> = {}
    let selfClosing = false
    for (;;) {
      const spaced = this.space()
      if (text.startsWith('/>', this.at)) {
        this.at += 2
        selfClosing = true
        break
      }
      if (text[this.at] === '>') {
        this.at++
        break
      }
      if (!spaced) this.fail(`expected whitespace, ">" or "/>" in <${qname}>`)
      const attribute = this.name()
      this.space()
      if (text[this.at] !== '=') this.fail(`expected "=" after attribute ${attribute}`)
      this.at++
      this.space()
      const quote = text[this.at]
      if (quote !== '"' && quote !== "'") this.fail(`expected a quoted value for attribute ${attribute}`)
      const close = text.indexOf(quote, this.at + 1)
      if (close < 0) this.fail(`unterminated value of attribute ${attribute}`)
      const raw = text.slice(this.at + 1, close)
      if (raw.includes('<')) this.fail(`"<" in the value of attribute ${attribute}`)
      if (Object.hasOwn(attributes, attribute)) this.fail(`attribute ${attribute} given twice`)
      attributes[attribute] = this.decode(raw, this.at + 1)
      this.at = close + 1
    }

    let inner = scope
    for (const [attribute, value] of Object.entries(attributes)) {
      if (attribute === 'xmlns' || attribute.startsWith('xmlns:')) {
        if (inner === scope) inner = new Map(scope)
        ;(inner as Map<string, string>).set(attribute === 'xmlns' ? '' : attribute.slice(6), value)
      }
    }
    for (const attribute of Object.keys(attributes)) {
      const colon = attribute.indexOf(':')
      const prefix = colon < 0 ? '' : attribute.slice(0, colon)
      if (prefix !== '' && prefix !== 'xmlns' && !inner.has(prefix)) this.fail(`undeclared prefix ${prefix}: in attribute ${attribute}`, start)
    }
    const colon = qname.indexOf(':')
    const prefix = colon < 0 ? '' : qname.slice(0, colon)
    const ns = inner.get(prefix)
    if (ns === undefined && prefix !== '') this.fail(`undeclared prefix ${prefix}: in <${qname}>`, start)
    const element: XmlElement = {
      name: colon < 0 ? qname : qname.slice(colon + 1),
      ns: ns ?? '',
      attributes,
      children: [],
      text: '',
      line: this.lineAt(start),
    }
    if (selfClosing) return element

    let content = ''
    for (;;) {
      const lt = text.indexOf('<', this.at)
      if (lt < 0) this.fail(`no end tag for <${qname}>`, start)
      if (lt > this.at) content += this.decode(text.slice(this.at, lt), this.at)
      this.at = lt
      if (text.startsWith('</', lt)) {
        this.at += 2
        const end = this.name()
        this.space()
        if (text[this.at] !== '>') this.fail(`expected ">" to close </${end}>`)
        this.at++
        if (end !== qname) this.fail(`</${end}> closes <${qname}> (line ${element.line})`, lt)
        element.text = content
        return element
      }
      if (text.startsWith('<!--', lt)) this.skipPast('-->', 'unterminated comment')
      else if (text.startsWith('<![CDATA[', lt)) {
        this.at += 9
        content += this.skipPast(']]>', 'unterminated CDATA section')
      } else if (text.startsWith('<?', lt)) this.skipPast('?>', 'unterminated processing instruction')
      else if (text.startsWith('<!', lt)) this.fail('unexpected markup declaration')
      else element.children.push(this.element(inner))
    }
  }

  /** Character data with its entity and character references resolved. */
  private decode(raw: string, offset: number): string {
    if (!raw.includes('&')) {
      if (raw.includes(']]>')) this.fail('"]]>" in character data', offset + raw.indexOf(']]>'))
      return raw
    }
    return raw.replace(/&([^;&\s]*);?/g, (match, ref: string, index: number) => {
      if (!match.endsWith(';')) this.fail('"&" not starting a reference (write &amp;)', offset + index)
      if (ref.startsWith('#')) {
        const code = /^#x[0-9A-Fa-f]+$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#\d+$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN
        if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
          this.fail(`bad character reference &${ref};`, offset + index)
        return String.fromCodePoint(code)
      }
      const value = Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref] : undefined
      if (value === undefined) this.fail(`unknown entity &${ref};`, offset + index)
      return value
    })
  }
}
