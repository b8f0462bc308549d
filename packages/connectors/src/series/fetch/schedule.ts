/**
 * Publication schedules of the series publishers: weekly releases at a wall-clock time in the
 * publisher's zone (EIA's Wednesday dnav update, the Thursday storage report, CARB's weekly
 * workbook), and the date helpers the dataset modules share. Instants are ms since the epoch;
 * dates are `YYYY-MM-DD`.
 */
import { addDays, dateIn, dayStartUtc } from '@carbon/schemas'
import { MINUTE } from '../../fetch/time.ts'

export const EASTERN = 'America/New_York'
export const PACIFIC = 'America/Los_Angeles'

/** ISO weekday: Monday 1 .. Sunday 7. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7

/** A weekly release: a weekday at a wall-clock time on the publisher's clock. */
export type WeeklyRelease = { weekday: IsoWeekday; hour: number; minute: number; timeZone: string }

/** The ISO weekday of a date. */
export function isoWeekday(date: string): IsoWeekday {
  return (((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1) as IsoWeekday
}

/** A date's UTC midnight: how the readers store a publisher's date (`datePeriod`). */
export const utcMidnight = (date: string): number => Date.parse(`${date}T00:00:00Z`)

/** The UTC date of an instant. */
export const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/** The instant of `release` on `date` (the publishers' release days are weekdays, never a clock-change Sunday). */
export function releaseOn(date: string, release: WeeklyRelease): number {
  return dayStartUtc(date, release.timeZone).getTime() + (release.hour * 60 + release.minute) * MINUTE
}

/**
 * The latest release at or before `now`: its instant and its date on the publisher's clock. A
 * release a week before is always at or before `now`, so at most eight dates are tried.
 */
export function latestRelease(now: number, release: WeeklyRelease): { at: number; date: string } {
  const today = dateIn(new Date(now), release.timeZone)
  for (let back = 0; back <= 7; back++) {
    const date = addDays(today, -back)
    if (isoWeekday(date) !== release.weekday) continue
    const at = releaseOn(date, release)
    if (at <= now) return { at, date }
  }
  throw new RangeError(`no release of ${JSON.stringify(release)} in the week before ${new Date(now).toISOString()}`)
}
