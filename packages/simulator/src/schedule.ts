/**
 * When each publisher makes each file available, relative to the market day or interval it
 * prices. Every offset is configurable; the defaults model what the publishers do:
 *
 * | feed | available from (default) | why |
 * |---|---|---|
 * | MISO `{D}_da_expost_lmp.csv` | D-1 14:00 EST (`misoDaExPost` = -10 h from D 00:00 EST) | the day-ahead market clears D-1 ~13:30 EST; clients read today's file during D (gridstatus types RT nodes from it) |
 * | MISO `{D}_rt_lmp_prelim.csv` | D+1 06:00 EST (`misoRtPrelim` = +30 h) | preliminary hourly RT prices are posted the next day |
 * | MISO `{D}_rt_lmp_final.csv` | D+6 06:00 EST (`misoRtFinal` = +150 h) | on OD-1 traders see finals up to OD-7 only |
 * | MISO prelim after the final | 404 (`misoPrelimRemovedWithFinal` = true) | MISO removes preliminary files once the final is posted |
 * | MISO GetRealTimeFiveMinExPost | an interval once it has ended (`misoRt5Delay` = 0 after its end) | Current = the latest complete interval |
 * | MISO GetExAnteLmp | the interval in progress | the dispatch forecast for the current interval |
 * | CAISO PRC_LMP (DAM) | D-1 13:00 Pacific (`caisoDam` = -11 h from D 00:00 Pacific) | DAM results are posted around 13:00 the day before |
 * | CAISO PRC_RTPD_LMP | the interval's start (`caisoRtpd` = 0 after its start) | the fifteen-minute market clears before its interval |
 * | CAISO PRC_INTVL_LMP | the interval's end (`caisoRtm` = 0 after its end) | five-minute dispatch prices exist once the interval ran |
 */
import type { MisoReport } from '@carbon/connectors'
import { HOUR, MINUTE, misoDayStart, nextDay, pacificDayOf, pacificDayStart, type Ymd } from './time.ts'

export type PublicationSchedule = {
  /** MISO DA ex-post report of market day D: ms after D 00:00 EST (negative: before D). */
  misoDaExPost: number
  /** MISO RT preliminary report of D: ms after D 00:00 EST. */
  misoRtPrelim: number
  /** MISO RT final report of D: ms after D 00:00 EST. */
  misoRtFinal: number
  /** Whether the preliminary report answers 404 once the final one is published. */
  misoPrelimRemovedWithFinal: boolean
  /** MISO five-minute ex-post interval: ms after the interval's end. */
  misoRt5Delay: number
  /** CAISO DAM trade date D: ms after D 00:00 Pacific (negative: before D). */
  caisoDam: number
  /** CAISO fifteen-minute interval: ms after the interval's start. */
  caisoRtpd: number
  /** CAISO five-minute interval: ms after the interval's end. */
  caisoRtm: number
}

export const DEFAULT_SCHEDULE: Readonly<PublicationSchedule> = {
  misoDaExPost: -10 * HOUR,
  misoRtPrelim: 30 * HOUR,
  misoRtFinal: 150 * HOUR,
  misoPrelimRemovedWithFinal: true,
  misoRt5Delay: 0,
  caisoDam: -11 * HOUR,
  caisoRtpd: 0,
  caisoRtm: 0,
}

const FIVE_MINUTES = 5 * MINUTE

/** When a MISO market report is published (ms since the epoch). */
export function misoReportPublishedAt(schedule: PublicationSchedule, report: MisoReport, date: Ymd): number {
  const start = misoDayStart(date)
  if (report === 'da_expost_lmp') return start + schedule.misoDaExPost
  return start + (report === 'rt_lmp_final' ? schedule.misoRtFinal : schedule.misoRtPrelim)
}

/** Whether a MISO market report answers (published, and for a prelim not yet replaced by its final). */
export function misoReportAvailable(schedule: PublicationSchedule, report: MisoReport, date: Ymd, now: number): boolean {
  if (misoReportPublishedAt(schedule, report, date) > now) return false
  if (report === 'rt_lmp_prelim' && schedule.misoPrelimRemovedWithFinal)
    return misoReportPublishedAt(schedule, 'rt_lmp_final', date) > now
  return true
}

/** Start of the latest MISO five-minute interval published at `now`. */
export function misoLatestRt5(schedule: PublicationSchedule, now: number): number {
  return Math.floor((now - schedule.misoRt5Delay - FIVE_MINUTES) / FIVE_MINUTES) * FIVE_MINUTES
}

/** Start of the MISO five-minute interval in progress at `now` (the ex-ante interval). */
export function misoCurrentInterval(now: number): number {
  return Math.floor(now / FIVE_MINUTES) * FIVE_MINUTES
}

/** Exclusive bound on the interval starts of a CAISO run published at `now`. */
export function caisoPublishedUntil(schedule: PublicationSchedule, run: 'DA' | 'RT15' | 'RT5', now: number): number {
  if (run === 'DA') return pacificDayStart(nextDay(pacificDayOf(now - schedule.caisoDam)))
  if (run === 'RT15') return now - schedule.caisoRtpd + 1
  return now - schedule.caisoRtm - FIVE_MINUTES + 1
}
