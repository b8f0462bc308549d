/**
 * Recorded publisher files, served byte for byte where a request asks for exactly what they hold.
 * A folder of files named like the connectors' fixtures is indexed by name and content:
 *
 *   miso_{da_expost_lmp|rt_lmp_final|rt_lmp_prelim}_{YYYYMMDD}[_...].csv   -> /marketreports/{YYYYMMDD}_{report}.csv
 *   miso_public_api_GetRealTimeFiveMinExPost_Current_*.json                -> Current, when its INTERVAL is the latest
 *   miso_public_api_GetExAnteLmp_*.json                                    -> GetExAnteLmp, when its RefId is the current interval
 *   caiso_oasis_{PRC_LMP|PRC_INTVL_LMP|PRC_RTPD_LMP}_*.csv                 -> SingleZip for exactly its nodes and window
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type CaisoQuery, misoNaiveTimeMs, misoRefIdStartMs, type MisoReport, parseCaisoOasis } from '@carbon/connectors'

export type RecordedOasis = {
  file: string
  query: CaisoQuery
  /** Node names, sorted. */
  nodes: string[]
  /** The window the file covers: first interval start, last interval end (ms). */
  start: number
  end: number
  body: Buffer
}

export type Recorded = {
  /** Key `${report}|${YYYYMMDD}`. */
  reports: Map<string, { file: string; body: Buffer }>
  /** Key: interval start (ms). */
  rt5Current: Map<number, { file: string; body: Buffer }>
  exAnte: Map<number, { file: string; body: Buffer }>
  oasis: RecordedOasis[]
}

export const emptyRecorded = (): Recorded => ({ reports: new Map(), rt5Current: new Map(), exAnte: new Map(), oasis: [] })

const REPORT = /^miso_(da_expost_lmp|rt_lmp_final|rt_lmp_prelim)_(\d{8})(?:_[^.]*)?\.csv$/
const RT5_CURRENT = /^miso_public_api_GetRealTimeFiveMinExPost_Current_.*\.json$/
const EXANTE = /^miso_public_api_GetExAnteLmp_.*\.json$/
const OASIS = /^caiso_oasis_(PRC_LMP|PRC_INTVL_LMP|PRC_RTPD_LMP)_.*\.csv$/

/** Indexes the recorded files of `dir`. Throws when a file that looks recorded cannot be read. */
export function loadRecorded(dir: string | URL): Recorded {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir)
  const out = emptyRecorded()
  for (const file of readdirSync(path).sort()) {
    const body = () => readFileSync(`${path.replace(/\/$/, '')}/${file}`)
    const report = REPORT.exec(file)
    if (report) {
      out.reports.set(`${report[1] as MisoReport}|${report[2]}`, { file, body: body() })
    } else if (RT5_CURRENT.test(file)) {
      const bytes = body()
      const interval = (JSON.parse(bytes.toString('utf8')) as { data?: unknown[][] }).data?.[0]?.[0]
      const start = typeof interval === 'string' ? misoNaiveTimeMs(interval) : null
      if (start === null) throw new Error(`recorded ${file}: no INTERVAL in its first row`)
      out.rt5Current.set(start, { file, body: bytes })
    } else if (EXANTE.test(file)) {
      const bytes = body()
      const refId = (JSON.parse(bytes.toString('utf8')) as { LMPData?: { RefId?: unknown } }).LMPData?.RefId
      const start = typeof refId === 'string' ? misoRefIdStartMs(refId) : null
      if (start === null) throw new Error(`recorded ${file}: no RefId`)
      out.exAnte.set(start, { file, body: bytes })
    } else {
      const oasis = OASIS.exec(file)
      if (!oasis) continue
      const query = oasis[1] as CaisoQuery
      const bytes = body()
      const { records, errors } = parseCaisoOasis(bytes.toString('utf8'), file, query)
      if (errors.length > 0 || records.length === 0) throw new Error(`recorded ${file} does not parse as ${query}`)
      const starts = records.map((r) => Date.parse(r.intervalStart))
      const ends = records.map((r) => Date.parse(r.intervalEnd))
      out.oasis.push({
        file,
        query,
        nodes: [...new Set(records.map((r) => r.node))].sort(),
        start: Math.min(...starts),
        end: Math.max(...ends),
        body: bytes,
      })
    }
  }
  return out
}
