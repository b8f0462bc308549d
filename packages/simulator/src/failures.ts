/**
 * Failure injection: the broken answers publishers really give, on demand, for tests of the
 * connectors and the ingestion around them.
 *
 * | mode | what the client gets | how a client notices |
 * |---|---|---|
 * | `truncated` | CSV cut inside a data row; JSON cut mid-document; OASIS zip cut at 60 % | row issue "row has N of M columns" / ParseError "not JSON" / unzip fails |
 * | `corrupt-zip` | OASIS only: the zip's end-of-central-directory record overwritten | unzip fails |
 * | `changed-header` | MISO CSV `HE 1` -> `HE 01`; OASIS price column renamed; RT5 JSON `CPNODE` -> `NODE`; ex-ante `Hub` -> `Hubs` | ParseError |
 * | `non-numeric` | one value replaced: MISO CSV `"$1,024.50"`, JSON and OASIS `N/A` | a "not a number" issue |
 * | `html` | HTTP 200 with an HTML page | ParseError "an HTML page instead of data" |
 * | `empty` | HTTP 200 with an empty body (OASIS: a zip holding an empty CSV) | ParseError "empty file" |
 * | `duplicate-edges` | rows at the window's edges repeated with the same values | no issue (parsers drop exact repeats); ex-ante: "hub listed twice" |
 * | `unknown-node` | one node no catalogue has (`AMIL.NEWUNIT1`, `NEWNODE_7_N001`, `NEW.HUB`) | records for a node the client has never seen |
 * | `server-error` | HTTP 503 with an HTML page | the status |
 * | `not-published` | Data Exchange only: HTTP 404 `Date not found`, as for a day not yet out | the status (404 = not published yet) |
 *
 * `duplicate-edges` and `unknown-node` change what is generated; on a recorded file they do
 * nothing (the recorded bytes are served). A rule with `pages` applies only to those pages of the
 * paged Data Exchange (`pageNumber`), e.g. `{ mode: 'server-error', feeds: ['miso.dx.da_expost_lmp'], pages: [3] }`:
 * pages 1-2 are served, page 3 fails (a page the publisher has not finished, or a back end down).
 */
import type { SourceId } from '@carbon/connectors'
import type { MarketId } from '@carbon/schemas'
import { type SimNode, simNode } from './catalogue.ts'

export const FAILURE_MODES = [
  'truncated',
  'corrupt-zip',
  'changed-header',
  'non-numeric',
  'html',
  'empty',
  'duplicate-edges',
  'unknown-node',
  'server-error',
  'not-published',
] as const
export type FailureMode = (typeof FAILURE_MODES)[number]

/** Feeds are the connectors' source ids (`miso.api.rt5_expost` covers Current, Rolling and Previous). */
export type FeedId = SourceId

/**
 * A failure to inject: `mode` for requests of `feeds` (default: every feed), for the next `times`
 * matching requests (default: every one); with `pages`, only for those page numbers of a paged
 * feed (requests without a page number never match it). Rules are tried in order; the first
 * match applies.
 */
export type FailureRule = { mode: FailureMode; feeds?: readonly FeedId[]; times?: number; pages?: readonly number[] }

/** The live set of rules; `take` consumes one use of the first rule matching a feed. */
export class FailurePlan {
  private rules: { rule: FailureRule; left: number }[] = []

  constructor(rules: readonly FailureRule[] = []) {
    this.set(rules)
  }

  set(rules: readonly FailureRule[]): void {
    for (const rule of rules)
      if (!FAILURE_MODES.includes(rule.mode)) throw new RangeError(`unknown failure mode ${JSON.stringify(rule.mode)}`)
    this.rules = rules.map((rule) => ({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }))
  }

  /** The mode for a request of `feed` (and `page`, for a paged feed), consuming one use of its rule. */
  take(feed: FeedId, page?: number): FailureMode | null {
    const hit = this.rules.find(({ rule, left }) => left > 0 && (!rule.feeds || rule.feeds.includes(feed)) && pageMatches(rule, page))
    if (!hit) return null
    hit.left--
    return hit.rule.mode
  }
}

function pageMatches(rule: FailureRule, page: number | undefined): boolean {
  return !rule.pages || (page !== undefined && rule.pages.includes(page))
}

/** Names no catalogue holds, one per feed family. */
export const UNKNOWN_NODE_NAMES = { MISO: 'AMIL.NEWUNIT1', CAISO: 'NEWNODE_7_N001', MISO_HUB: 'NEW.HUB' } as const

export function unknownNode(market: MarketId, seed: number, hub = false): SimNode {
  if (market === 'MISO') return simNode('MISO', hub ? UNKNOWN_NODE_NAMES.MISO_HUB : UNKNOWN_NODE_NAMES.MISO, hub ? 'hub' : 'generator', seed)
  return simNode('CAISO', UNKNOWN_NODE_NAMES.CAISO, 'generator', seed)
}

/** A maintenance page, what publishers answer with HTTP 200 when a back end is down. */
export function htmlPage(title: string, message: string): string {
  return `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1><p>${message}</p></body></html>\n`
}

export type TextKind = 'miso-csv' | 'oasis-csv' | 'rt5-json' | 'exante-json'

const OASIS_PRICE_RENAME: Record<string, string> = { MW: 'VALUE', VALUE: 'PRC', PRC: 'VALUE' }

/** Line `index` (0-based) of `text` replaced by `fn(line)`. */
function mapLine(text: string, index: number, fn: (line: string) => string): string {
  let start = 0
  for (let i = 0; i < index; i++) {
    const next = text.indexOf('\n', start)
    if (next < 0) return text
    start = next + 1
  }
  const end = text.indexOf('\n', start)
  const stop = end < 0 ? text.length : end
  return text.slice(0, start) + fn(text.slice(start, stop)) + text.slice(stop)
}

/** The text of a file broken the way `mode` says (modes that break text; others return it unchanged). */
export function breakText(text: string, kind: TextKind, mode: FailureMode): string {
  if (mode === 'empty') return ''
  const csv = kind === 'miso-csv' || kind === 'oasis-csv'
  const firstDataLine = kind === 'miso-csv' ? 5 : 1
  if (mode === 'truncated') {
    if (!csv) return text.slice(0, Math.floor(text.length * 0.6))
    // Cut a data row after its third cell: the row is short, everything after it gone.
    let headerEnd = 0
    for (let i = 0; i < firstDataLine; i++) headerEnd = text.indexOf('\n', headerEnd) + 1
    const at = Math.max(headerEnd, Math.floor(text.length * 0.6))
    const lineStart = text.lastIndexOf('\n', at - 1) + 1
    let cut = lineStart
    for (let i = 0; i < 3; i++) cut = text.indexOf(',', cut) + 1
    return text.slice(0, Math.max(lineStart, cut - 1))
  }
  if (mode === 'changed-header') {
    if (kind === 'miso-csv') return mapLine(text, 4, (line) => line.replace(/HE (\d)\b/g, 'HE 0$1'))
    if (kind === 'oasis-csv')
      return mapLine(text, 0, (line) =>
        line
          .split(',')
          .map((cell) => OASIS_PRICE_RENAME[cell] ?? cell)
          .join(',')
      )
    const doc = JSON.parse(text)
    if (kind === 'rt5-json') doc.headers = doc.headers.map((h: string) => (h === 'CPNODE' ? 'NODE' : h))
    else {
      doc.LMPData.ExAnteLMP.Hubs = doc.LMPData.ExAnteLMP.Hub
      delete doc.LMPData.ExAnteLMP.Hub
    }
    return JSON.stringify(doc)
  }
  if (mode === 'non-numeric') {
    if (kind === 'miso-csv') return mapLine(text, 5, (line) => replaceCell(line, 7, '"$1,024.50"'))
    if (kind === 'oasis-csv') {
      const header = text.slice(0, text.indexOf('\n')).split(',')
      const price = header.findIndex((cell) => cell === 'MW' || cell === 'VALUE' || cell === 'PRC')
      return mapLine(text, 1, (line) => replaceCell(line, price, 'N/A'))
    }
    const doc = JSON.parse(text)
    if (kind === 'rt5-json' && doc.data[0]) doc.data[0][2] = 'N/A'
    else if (kind === 'exante-json' && doc.LMPData.ExAnteLMP.Hub[0]) doc.LMPData.ExAnteLMP.Hub[0].LMP = 'N/A'
    return JSON.stringify(doc)
  }
  return text
}

function replaceCell(line: string, index: number, value: string): string {
  const cells = line.split(',')
  if (index < 0 || index >= cells.length) return line
  cells[index] = value
  return cells.join(',')
}

/** A zip broken the way `mode` says (`truncated`, `corrupt-zip`); other modes return it unchanged. */
export function breakZip(zip: Uint8Array, mode: FailureMode): Uint8Array {
  if (mode === 'truncated') return zip.slice(0, Math.floor(zip.length * 0.6))
  if (mode !== 'corrupt-zip') return zip
  const out = zip.slice()
  // End of central directory record: signature PK\x05\x06 within the last 64 kB.
  for (let i = out.length - 22; i >= Math.max(0, out.length - 65_557); i--)
    if (out[i] === 0x50 && out[i + 1] === 0x4b && out[i + 2] === 0x05 && out[i + 3] === 0x06) {
      out.fill(0xff, i, Math.min(out.length, i + 22))
      break
    }
  return out
}
