/** Pure helpers of the download center's views (no server code: the browser runs them too). */

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const

/** Bytes in human units (1 KB = 1,000 bytes, as file managers show): `812 bytes`, `1.4 MB`, `23 GB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—'
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000
    unit++
  }
  if (unit === 0) return `${Math.round(value)} ${value === 1 ? 'byte' : 'bytes'}`
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`
}

/** A count with thousands separators: `1,234,567`. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toLocaleString('en-US')
}

export const JOB_STATUS_LABELS: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
}

/** A job still moving: the page polls while one is. */
export function isActive(status: string): boolean {
  return status === 'queued' || status === 'running'
}

/** `2026-07-14 13:05 UTC` of an ISO instant. */
export function utcMinute(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—'
}

/** How often the page asks for the jobs while one is queued or running. */
export const JOBS_POLL_MS = 1_000
