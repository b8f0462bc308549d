/**
 * NYISO MIS public files on the simulator (`/nyiso/public/csv/...`, production
 * http://mis.nyiso.com/public/csv/...), generated from the shared price model (formats/nyiso.ts):
 *
 *   GET /nyiso/public/csv/damlbmp/{YYYYMMDD}damlbmp_zone.csv        day-ahead, hourly
 *   GET /nyiso/public/csv/realtime/{YYYYMMDD}realtime_zone.csv      real-time, five-minute (grows during the day)
 *   GET /nyiso/public/csv/{damlbmp|realtime}/{YYYYMM}01{file}_csv.zip   the month's daily files
 *
 * No authentication. A file not out (or no longer kept) answers 404 with an HTML page, as an IIS
 * site does (published: false, so no failure is injected into it).
 *
 * Publication (mirrors @carbon/connectors fetch/nyiso.ts):
 *
 * | file | answers | kept |
 * |---|---|---|
 * | `{D}damlbmp_zone.csv` | from D-1 11:00 EPT | 10 EPT days back from today (D >= today - 9), and tomorrow's once out |
 * | `{D}realtime_zone.csv` | from D 00:05 EPT: the intervals ended by now (interval END stamps up to now) | the same 10 days |
 * | `{YYYYMM}01damlbmp_zone_csv.zip` | the days of the month published by now | always |
 * | `{YYYYMM}01realtime_zone_csv.zip` | the days of the month complete by now (no partial day) | always |
 *
 * The connectors fetch the daily CSVs of the last 7 days only, so a planned daily file is always
 * still kept here. The 15 zone names and PTIDs are the recorded file's.
 */
import { laterCatalogue } from '../catalogue.ts'
import { breakNyisoCsv, NYISO_SPECS, NYISO_ZONES, type NyisoFile, nyisoCsv, nyisoMonthZip, type NyisoZone } from '../formats/nyiso.ts'
import { easternDayOf, easternDayStart, easternInstant } from '../formats/pjm.ts'
import { htmlPage } from '../failures.ts'
import type { PriceModel } from '../prices.ts'
import { MINUTE, nextDay, parseYmd, ymdText, type Ymd } from '../time.ts'
import type { MarketRoute, SimAnswer } from './types.ts'

/** When each file is out (the connectors' fetch/nyiso.ts has the same constants). */
export const NYISO_SCHEDULE = {
  /** Day-ahead file of D at D-1 11:00 EPT. */
  daPublished: { daysBefore: 1, hour: 11 },
  /** A real-time interval is in its day's file this long after it ends. */
  rtDelayMs: 0,
  /** Daily CSVs kept: today and the 9 EPT days before. */
  dailyFilesKeptDays: 10,
} as const

const RT_STEP = 5 * MINUTE
const CSV = 'text/csv'
const ZIP = 'application/x-zip-compressed'
const HTML = 'text/html; charset=utf-8'

const prevDay = ({ y, m, d }: Ymd): Ymd => {
  const t = new Date(Date.UTC(y, m - 1, d - 1))
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() }
}
const sameOrAfter = (a: Ymd, b: Ymd) => ymdText(a) >= ymdText(b)

/** When the day-ahead file of `date` is out. */
export function nyisoDaPublishedAt(date: Ymd): number {
  let day = date
  for (let i = 0; i < NYISO_SCHEDULE.daPublished.daysBefore; i++) day = prevDay(day)
  return easternInstant(Date.UTC(day.y, day.m - 1, day.d, NYISO_SCHEDULE.daPublished.hour))!
}

/** Exclusive bound on the real-time interval starts in the files at `now`: intervals that have ended. */
export const nyisoRtPublishedUntil = (now: number) => Math.floor((now - NYISO_SCHEDULE.rtDelayMs) / RT_STEP) * RT_STEP

/** The first EPT date whose daily CSV is still kept at `now`. */
export function nyisoDailyKeptFrom(now: number): Ymd {
  let day = easternDayOf(now)
  for (let i = 1; i < NYISO_SCHEDULE.dailyFilesKeptDays; i++) day = prevDay(day)
  return day
}

/** The intervals of `date` in its `file` at `now`: [start, end) of its starts, or null when the file is not out. */
export function nyisoFileSpan(file: NyisoFile, date: Ymd, now: number): { start: number; end: number } | null {
  const start = easternDayStart(date)
  const end = easternDayStart(nextDay(date))
  if (file === 'damlbmp_zone') return nyisoDaPublishedAt(date) <= now ? { start, end } : null
  const until = Math.min(end, nyisoRtPublishedUntil(now))
  return until > start ? { start, end: until } : null
}

/** The 15 zones priced by `model` (built once per model). */
const built = new WeakMap<PriceModel, NyisoZone[]>()
export function nyisoZones(model: PriceModel): readonly NyisoZone[] {
  let zones = built.get(model)
  if (!zones) {
    const catalogue = laterCatalogue('NYISO', NYISO_ZONES.map(([name, , type]) => ({ name, type })), model.seed)
    zones = NYISO_ZONES.map(([name, ptid]) => ({ name, ptid, node: catalogue.byName.get(name)! }))
    built.set(model, zones)
  }
  return zones
}

type Reply = SimAnswer & { published: boolean }

const notFound = (): Reply => ({
  status: 404,
  type: HTML,
  body: htmlPage('404 - File or directory not found.', 'The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.'),
  published: false,
})

const DAILY = /^\/nyiso\/public\/csv\/(damlbmp|realtime)\/(\d{8})(damlbmp_zone|realtime_zone)\.csv$/
const MONTHLY = /^\/nyiso\/public\/csv\/(damlbmp|realtime)\/(\d{6})01(damlbmp_zone|realtime_zone)_csv\.zip$/

/** The routes of the two files (daily CSVs and monthly zips). NYISO prices 15 names: `nodes` is accepted for the common signature and has no effect. */
export function createNyisoRoutes(_options: { nodes?: number } = {}): readonly MarketRoute[] {
  const files: NyisoFile[] = ['damlbmp_zone', 'realtime_zone']
  return files.map(
    (file): MarketRoute => ({
      feed: `nyiso.${file}`,
      async answer(request, { model, now }) {
        const folder = NYISO_SPECS[file].folder
        const daily = DAILY.exec(request.path)
        if (daily && daily[1] === folder && daily[3] === file) {
          const date = parseYmd(daily[2]!)
          if (!date || !sameOrAfter(date, nyisoDailyKeptFrom(now))) return notFound()
          const span = nyisoFileSpan(file, date, now)
          if (!span) return notFound()
          return { status: 200, type: CSV, body: nyisoCsv(model, file, nyisoZones(model), span.start, span.end), published: true }
        }
        const monthly = MONTHLY.exec(request.path)
        if (monthly && monthly[1] === folder && monthly[3] === file) {
          const first = parseYmd(`${monthly[2]}01`)
          if (!first) return notFound()
          const days: { date: string; start: number; end: number }[] = []
          for (let date = first; date.m === first.m; date = nextDay(date)) {
            const span = nyisoFileSpan(file, date, now)
            // Real-time days go into the zip once complete.
            if (span && (file === 'damlbmp_zone' || span.end === easternDayStart(nextDay(date)))) days.push({ date: ymdText(date), ...span })
          }
          if (days.length === 0) return notFound()
          const body = await nyisoMonthZip(model, file, nyisoZones(model), days, new Date(now))
          return { status: 200, type: ZIP, body, published: true, headers: { 'Content-Disposition': `attachment; filename=${monthly[2]}01${file}_csv.zip` } }
        }
        return null
      },
      breakAnswer(answer, mode) {
        if (answer.type !== CSV) return null
        const text = typeof answer.body === 'string' ? answer.body : Buffer.from(answer.body).toString('utf8')
        const body = breakNyisoCsv(text, mode)
        return body === null ? null : { ...answer, body }
      },
    })
  )
}

export const NYISO_ROUTES: readonly MarketRoute[] = createNyisoRoutes()
