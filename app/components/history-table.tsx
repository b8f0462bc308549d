import { Link } from '@remix-run/react'
import { formatInteger, formatPrice } from '#app/utils/format.ts'
import { intervalLabel, viewColumns, type ViewResolution, type ViewRow } from '#app/utils/node-view.ts'
import { zoneLabel } from '#app/utils/time.ts'

type HistoryTableProps = {
  rows: ViewRow[]
  resolution: ViewResolution
  rtRun: string
  timeZone: string
  caption: string
  page: number
  pageCount: number
  total: number
  pageSize: number
  pageHref: (page: number) => string
}

/** The points behind the chart, newest first, one page at a time; the same columns as the CSV. */
export function HistoryTable({ rows, resolution, rtRun, timeZone, caption, page, pageCount, total, pageSize, pageHref }: HistoryTableProps) {
  const columns = viewColumns(resolution, rtRun)
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1
  const last = Math.min(total, page * pageSize)
  const pager =
    pageCount > 1 ? (
      <nav className="pager" aria-label="Table pages">
        {page > 1 ? (
          <Link to={pageHref(page - 1)} preventScrollReset rel="prev">
            ← Newer
          </Link>
        ) : (
          <span className="pager-disabled">← Newer</span>
        )}
        <span className="pager-status">
          Page {page} of {pageCount}
        </span>
        {page < pageCount ? (
          <Link to={pageHref(page + 1)} preventScrollReset rel="next">
            Older →
          </Link>
        ) : (
          <span className="pager-disabled">Older →</span>
        )}
      </nav>
    ) : null
  return (
    <div className="history">
      <div className="table-scroll">
        <table className="data-table history-table" data-resolution={resolution}>
          <caption>
            {caption} · rows {formatInteger(first)}–{formatInteger(last)} of {formatInteger(total)}, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col" className="time">
                {resolution === 'daily' ? 'Day' : 'Interval start'} ({zoneLabel(timeZone)})
              </th>
              {columns.map((c) => (
                <th scope="col" className="num" key={c.key}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.t}>
                <th scope="row" className="time">
                  <time dateTime={new Date(row.t).toISOString()}>{intervalLabel(row.t, resolution, timeZone)}</time>
                </th>
                {columns.map((c) => {
                  const v = c.value(row)
                  const cls = c.signed && v != null ? (v >= 0.005 ? 'num pos' : v <= -0.005 ? 'num neg' : 'num') : 'num'
                  return (
                    <td className={cls} key={c.key}>
                      {formatPrice(v)}
                    </td>
                  )
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pager}
    </div>
  )
}
