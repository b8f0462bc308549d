/**
 * ERCOT's settlement point prices from its Market Information System (MIS), no key needed. MIS
 * works in two steps: a document list per report type, then each document by its id.
 *
 *   GET {urls.ercotMis}/misapp/servlets/IceDocListJsonWS?reportTypeId=12331        the list (JSON)
 *   GET {urls.ercotMis}/misdownload/servlets/mirDownload?doclookupId={DocID}        one document (a zip of one CSV)
 *
 * | dataset | report | one document | published (usual schedule) | cadence |
 * |---|---|---|---|---|
 * | `ercot.dam_spp` | NP4-190-CD DAM Settlement Point Prices, 12331 | a delivery day (Central), hourly | D-1 12:51 Central (the fixture's document: 2026-06-11 12:51:32 for 06-12; the list shows 12:32-13:56) | 1 h |
 * | `ercot.rt_spp` | NP6-905-CD Settlement Point Prices at Resource Nodes, Hubs and Load Zones, 12301 | one 15-minute interval | 2 min after the interval ends (the fixture: interval ending 13:30, published 13:32:01) | 15 min |
 *
 * `plan` makes ONE listing request (`listing: true`) covering the window; the ingest hands its
 * answer to `locate`, which returns the download request of every `_csv` document whose delivery
 * window overlaps the listing's window, oldest first, each with its own window and the document's
 * ConstructedName as file. A request before publication is harmless: the list does not hold the
 * window's documents yet, `locate` returns none and the window is tried again.
 *
 * Which window a document prices is read from its names (the list says nothing else about it):
 * - DAM: the ConstructedName `cdr.00012331.0000000000000000.20260611.125133362.DAMSPNP4190_csv.zip`
 *   carries the Central date the market ran (its fourth dot-separated field, 2026-06-11; the
 *   FriendlyName `DAMSPNP4190_csv` has no date). NP4-190-CD runs the day before delivery, so the
 *   delivery day is that date + 1: [06-12 00:00, 06-13 00:00) Central, 23 to 25 hours.
 * - RT: the FriendlyName `SPPHLZNP6905_20260611_1330_csv` (or ERCOT's re-post
 *   `SPPHLZNP6905_retry_20260611_1330_csv`; else the same stamp in the ConstructedName) is the
 *   interval's END on the Central wall clock: 13:15-13:30 CDT. The end of a day is stamped with
 *   the next date, `_0000`. In the fall-back hour a stamp names two instants; the document's
 *   PublishDate (which carries its UTC offset, -05:00 or -06:00) picks the one it was published
 *   after, the latest end not later than the publication. A stamp inside the spring-forward gap
 *   names no instant and is skipped. A re-posted interval is fetched once (the latest posting).
 *
 * What backfill can reach: the list holds only what MIS keeps. For 12331 that is about a month
 * (the fixture's list, taken 2026-06-11, runs back to the document published 2026-05-11; each
 * document's ExpiredDate is its publication date + 31 days). For 12301 MIS keeps a few days (not
 * measured here). Older days are not on MIS: ERCOT's yearly historical workbooks (NP4-180-ER,
 * NP6-785-ER) or its Public API would be needed, which these datasets do not read. `backfill` is
 * true within what the list holds.
 *
 * Requests share the rate group `ercot.mis`, spaced 1 s apart (ERCOT documents no limit for MIS
 * downloads; one a second keeps a day of RT documents, 96, within two minutes).
 */
import { ParseError } from '../errors.ts'
import { CENTRAL, instantsOfWallClock, localInstant, zoneOffsetMs } from '../parsers/local-time.ts'
import { isObject, readJson, wallClockMs } from '../parsers/text.ts'
import { ceilTo, DAY, fileTime, floorTo, HOUR, MINUTE } from './time.ts'
import type { ConnectorConfig, DatasetDefinition, FetchedPayload, FetchRequest, Window } from './types.ts'

export type ErcotSourceId = 'ercot.dam_spp' | 'ercot.rt_spp'

/** Politeness group of every MIS request (list and download). */
export const ERCOT_MIS_RATE_GROUP = 'ercot.mis'
/** Minimum spacing between request starts per ERCOT rate group, for the HTTP client's `minSpacingMs`. */
export const ERCOT_MIN_SPACING_MS: Readonly<Record<string, number>> = { [ERCOT_MIS_RATE_GROUP]: 1_000 }

/** MIS report type ids. */
export const ERCOT_REPORT_TYPE_IDS: Readonly<Record<ErcotSourceId, number>> = { 'ercot.dam_spp': 12331, 'ercot.rt_spp': 12301 }

/** DAM delivery day D is published on D-1 at this Central wall-clock time (ms after D-1 00:00): 12:51. */
export const ERCOT_DAM_PUBLISHED_AT_WALL_MS = 12 * HOUR + 51 * MINUTE
/** An RT interval is published this long after it ends. */
export const ERCOT_RT_PUBLISHED_AFTER_END_MS = 2 * MINUTE
/** How long MIS lists a document after the day it was published (12331 measured; 12301 assumed "a few days"). */
export const ERCOT_MIS_KEEPS_DAYS: Readonly<Record<ErcotSourceId, number>> = { 'ercot.dam_spp': 31, 'ercot.rt_spp': 3 }

const QUARTER = 15 * MINUTE
const LIST_PATH = '/misapp/servlets/IceDocListJsonWS'
const DOWNLOAD_PATH = '/misdownload/servlets/mirDownload'
const ACCEPT_JSON = 'application/json, */*;q=0.1'
const ACCEPT_ZIP = 'application/zip, application/x-zip-compressed, application/octet-stream;q=0.9, */*;q=0.1'

// ---------------------------------------------------------------- Central clock

/** The Central wall clock of an instant, read as UTC. */
const centralWall = (ms: number) => ms + zoneOffsetMs(ms, CENTRAL)
/** The wall midnight (read as UTC) of the Central day holding `ms`. */
const centralDay = (ms: number) => floorTo(centralWall(ms), DAY)
/** The instant of a Central wall-clock time that exists (midnight, 12:51): its first occurrence. */
const centralInstant = (wall: number) => localInstant(wall, CENTRAL) as number

/** When DAM delivery day `dayWall` (wall midnight) is published. */
export function ercotDamPublishedAt(dayWall: number): number {
  return centralInstant(dayWall - DAY + ERCOT_DAM_PUBLISHED_AT_WALL_MS)
}

// ---------------------------------------------------------------- document list

/** One entry of an MIS document list (the fields the fetch half reads). */
export type ErcotDocument = {
  docId: string
  /** PublishDate as an instant, null when missing or unreadable. */
  publishedAt: number | null
  constructedName: string
  friendlyName: string
}

/**
 * The documents of an MIS `IceDocListJsonWS` answer
 * (`{"ListDocsByRptTypeRes":{"DocumentList":[{"Document":{...}}, ...]}}`), in the list's order.
 * Throws ParseError for an empty body, an HTML page, text that is not JSON, or JSON that is not a
 * document list. A list without `DocumentList` is an empty list; entries without a DocID are skipped.
 */
export function readErcotDocumentList(text: string, file: string): ErcotDocument[] {
  const json = readJson(text, file)
  const response = isObject(json) ? json.ListDocsByRptTypeRes : undefined
  if (!isObject(response))
    throw new ParseError({ file, line: 1, field: 'ListDocsByRptTypeRes', value: text.slice(0, 200), reason: 'not an MIS document list' })
  const raw = response.DocumentList
  if (raw === undefined || raw === null || raw === '') return []
  // A converter from XML may give one entry as an object instead of a one-element array.
  const entries = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : null
  if (!entries)
    throw new ParseError({ file, line: 1, field: 'DocumentList', value: JSON.stringify(raw).slice(0, 200), reason: 'not a list of documents' })
  const documents: ErcotDocument[] = []
  for (const entry of entries) {
    const doc = isObject(entry) && isObject(entry.Document) ? entry.Document : null
    if (!doc) continue
    const docId = typeof doc.DocID === 'string' || typeof doc.DocID === 'number' ? String(doc.DocID).trim() : ''
    if (!/^\d+$/.test(docId)) continue
    const published = typeof doc.PublishDate === 'string' ? Date.parse(doc.PublishDate) : Number.NaN
    documents.push({
      docId,
      publishedAt: Number.isNaN(published) ? null : published,
      constructedName: typeof doc.ConstructedName === 'string' ? doc.ConstructedName : '',
      friendlyName: typeof doc.FriendlyName === 'string' ? doc.FriendlyName : '',
    })
  }
  return documents
}

/** Whether a document is the CSV variant (`DAMSPNP4190_csv`, `..._csv.zip`), not the XML one. */
export function isErcotCsvDocument(doc: ErcotDocument): boolean {
  return /_csv$/.test(doc.friendlyName) || /_csv\.zip$/.test(doc.constructedName)
}

/** The delivery day of a DAM document: the run date of its ConstructedName + 1 (see the module comment), or null. */
export function ercotDamDocumentWindow(doc: ErcotDocument): Window | null {
  const m = /^[^.]+\.\d+\.\d+\.(\d{4})(\d{2})(\d{2})\./.exec(doc.constructedName)
  const runDay = m ? wallClockMs(Number(m[1]), Number(m[2]), Number(m[3])) : null
  if (runDay === null) return null
  const day = runDay + DAY
  return { start: centralInstant(day), end: centralInstant(day + DAY) }
}

/** The interval of an RT document: the end stamped in its FriendlyName or ConstructedName (see the module comment), or null. */
export function ercotRtDocumentWindow(doc: ErcotDocument): Window | null {
  const stamp = /_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})_csv$/.exec(doc.friendlyName) ?? /_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})_csv\.zip$/.exec(doc.constructedName)
  if (!stamp) return null
  const [y, mo, d, h, mi] = stamp.slice(1).map(Number) as [number, number, number, number, number]
  // `2400` would be the next day's `0000`; read both.
  const date = wallClockMs(y, mo, d)
  if (date === null || h > 24 || mi > 59 || (h === 24 && mi > 0) || mi % 15 !== 0) return null
  const candidates = instantsOfWallClock(date + h * HOUR + mi * MINUTE, CENTRAL)
  if (candidates.length === 0) return null
  const published = doc.publishedAt
  const before = published === null ? [] : candidates.filter((end) => end <= published)
  const end = before.length > 0 ? (before[before.length - 1] as number) : (candidates[0] as number)
  return { start: end - QUARTER, end }
}

// ---------------------------------------------------------------- datasets

const always = () => true
const isEmpty = (w: Window) => !(w.end > w.start)
const overlaps = (a: Window, b: Window) => a.start < b.end && b.start < a.end

type Spec = {
  id: ErcotSourceId
  run: 'DA' | 'RT15'
  cadenceMs: number
  intervalMs: number
  publishedUntil(now: number): number
  /** The window aligned to what the publisher serves (whole Central days, quarters). */
  align(window: Window): Window
  documentWindow(doc: ErcotDocument): Window | null
}

/** The MIS base URL of a listing request (the part before `/misapp/...`). */
function baseOf(request: FetchRequest): string {
  const at = request.url.indexOf(LIST_PATH)
  if (at < 0) throw new RangeError(`${request.dataset}: ${request.url} is not an MIS document list request`)
  return request.url.slice(0, at)
}

function dataset(spec: Spec): DatasetDefinition {
  const reportTypeId = ERCOT_REPORT_TYPE_IDS[spec.id]
  return {
    id: spec.id,
    market: 'ERCOT',
    run: spec.run,
    cadenceMs: spec.cadenceMs,
    intervalMs: spec.intervalMs,
    backfill: true,
    available: always,
    publishedUntil: spec.publishedUntil,
    plan(window: Window, config: ConnectorConfig): FetchRequest[] {
      if (isEmpty(window)) return []
      const aligned = spec.align(window)
      return [
        {
          dataset: spec.id,
          url: `${config.urls.ercotMis.replace(/\/+$/, '')}${LIST_PATH}?reportTypeId=${reportTypeId}`,
          headers: { Accept: ACCEPT_JSON },
          window: aligned,
          file: `ercot_${reportTypeId}_doclist_${fileTime(aligned.start)}_${fileTime(aligned.end)}.json`,
          rateGroup: ERCOT_MIS_RATE_GROUP,
          listing: true,
        },
      ]
    },
    locate(listing: FetchedPayload): FetchRequest[] {
      const { request } = listing
      const documents = readErcotDocumentList(new TextDecoder('utf-8').decode(listing.bytes), request.file)
      const base = baseOf(request)
      // One document per window: a re-post (`_retry_`, a later publication) replaces the first.
      const byStart = new Map<number, { doc: ErcotDocument; window: Window }>()
      for (const doc of documents) {
        if (!isErcotCsvDocument(doc)) continue
        const window = spec.documentWindow(doc)
        if (!window || !overlaps(window, request.window)) continue
        const kept = byStart.get(window.start)
        if (!kept || (doc.publishedAt ?? -Infinity) > (kept.doc.publishedAt ?? -Infinity)) byStart.set(window.start, { doc, window })
      }
      return [...byStart.values()]
        .sort((a, b) => a.window.start - b.window.start)
        .map(({ doc, window }) => ({
          dataset: spec.id,
          url: `${base}${DOWNLOAD_PATH}?doclookupId=${doc.docId}`,
          headers: { Accept: ACCEPT_ZIP },
          window,
          file: doc.constructedName || `ercot_${reportTypeId}_${doc.docId}.zip`,
          rateGroup: ERCOT_MIS_RATE_GROUP,
        }))
    },
  }
}

export const ERCOT_DATASETS: Readonly<Record<ErcotSourceId, DatasetDefinition>> = {
  'ercot.dam_spp': dataset({
    id: 'ercot.dam_spp',
    run: 'DA',
    cadenceMs: HOUR,
    intervalMs: HOUR,
    // Through the end of tomorrow once tomorrow's prices are out (today 12:51 Central), else through today.
    publishedUntil(now) {
      const today = centralDay(now)
      return centralInstant(today + (now >= ercotDamPublishedAt(today + DAY) ? 2 : 1) * DAY)
    },
    align: (w) => ({ start: centralInstant(centralDay(w.start)), end: centralInstant(centralDay(w.end - 1) + DAY) }),
    documentWindow: ercotDamDocumentWindow,
  }),
  'ercot.rt_spp': dataset({
    id: 'ercot.rt_spp',
    run: 'RT15',
    cadenceMs: QUARTER,
    intervalMs: QUARTER,
    // Interval [s, s + 15 min) is out at s + 17 min.
    publishedUntil: (now) => floorTo(now - ERCOT_RT_PUBLISHED_AFTER_END_MS, QUARTER),
    align: (w) => ({ start: floorTo(w.start, QUARTER), end: ceilTo(w.end, QUARTER) }),
    documentWindow: ercotRtDocumentWindow,
  }),
}
