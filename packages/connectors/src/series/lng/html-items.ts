/**
 * The list items of a small HTML fragment as plain text, each with the line it starts on. EIA's
 * weekly-report bullets are `<ul><li>` prose with at most an `<a>` inside; nothing here needs a
 * full HTML parser, only: comments ignored (EIA leaves commented-out `<li>` templates in), tags
 * dropped, the common entities decoded, whitespace collapsed.
 */

/** One `<li>`: its text content and the 1-based line its opening tag is on. */
export type HtmlItem = { text: string; line: number }

/** `text` with every HTML comment blanked out, newlines kept so line numbers stay true. */
function withoutComments(text: string): string {
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, (comment) => comment.replace(/[^\n]/g, ' '))
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '\u2013',
  mdash: '\u2014',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201c',
  rdquo: '\u201d',
  hellip: '\u2026',
}

/** Named and numeric character references decoded; unknown names left as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1))
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return Object.hasOwn(NAMED_ENTITIES, name.toLowerCase()) ? (NAMED_ENTITIES[name.toLowerCase()] as string) : whole
  })
}

/** Tags removed, entities decoded, runs of whitespace (NBSP included) made one space, trimmed. */
function plainText(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ' '))
    .replace(/[\s\u00a0]+/g, ' ')
    .trim()
}

/** 1-based line of `index` in `text`. */
export function lineAt(text: string, index: number): number {
  let line = 1
  for (let at = text.indexOf('\n'); at >= 0 && at < index; at = text.indexOf('\n', at + 1)) line++
  return line
}

/**
 * Every `<li>` of the fragment, in document order. An item ends at its `</li>`, or where the next
 * item or a nested list starts (HTML lets `</li>` be left out), so a heading item that holds a
 * nested `<ul>` yields its own words only and the nested items follow it.
 */
export function listItems(html: string): HtmlItem[] {
  const text = withoutComments(html)
  const items: HtmlItem[] = []
  for (const match of text.matchAll(/<li\b[^>]*>([\s\S]*?)(?=<\/li\s*>|<li\b|<\/?[uo]l\b|$)/gi)) {
    items.push({ text: plainText(match[1] ?? ''), line: lineAt(text, match.index) })
  }
  return items
}
