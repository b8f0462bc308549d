import type { ReactNode } from 'react'
import { changeDirection } from '#app/utils/format.ts'
import { formatSignedValue, formatValue } from './series-view.ts'

/** One column of a series table: its heading, whether it holds numbers (right-aligned), its cell. */
export type Column<R> = { key: string; label: ReactNode; num?: boolean; cell: (row: R) => ReactNode }

/**
 * A table of a series' periods (newest first) with a caption saying what and in which unit; the
 * first column is the period, a row header. Rows are the loader's: a table never computes values.
 */
export function SeriesTable<R>({
  caption,
  columns,
  rows,
  rowKey,
  className,
}: {
  caption: ReactNode
  columns: readonly Column<R>[]
  rows: readonly R[]
  rowKey: (row: R) => string
  className: string
}) {
  const [first, ...rest] = columns
  return (
    <div className="table-scroll">
      <table className={`data-table series-table ${className}`}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c.key} className={c.num ? 'num' : 'time'}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {first ? (
                <th scope="row" className={first.num ? 'num' : 'time'}>
                  {first.cell(row)}
                </th>
              ) : null}
              {rest.map((c) => (
                <td key={c.key} className={c.num ? 'num' : 'text'}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** A period as a table cell: its label, machine-readable in `dateTime`. */
export function PeriodCell({ dateTime, label }: { dateTime: string; label: string }) {
  return <time dateTime={dateTime}>{label}</time>
}

/** A signed change or basis in its unit, green above zero, red below. */
export function Signed({ value, unit }: { value: number | null | undefined; unit: string | null }) {
  const direction = changeDirection(value)
  const className = direction === 'up' ? 'pos' : direction === 'down' ? 'neg' : undefined
  return <span className={className}>{formatSignedValue(value, unit)}</span>
}

/** One figure of a card row: the latest value, its change, and what it is. */
export type CardFigure = {
  label: string
  value: number | null
  unit: string | null
  change?: number | null
  /** The period (and what the change is from), in the publisher's terms. */
  foot?: ReactNode
  title?: string
}

/** The latest figures of a page, as cards. */
export function LatestCards({ figures, label }: { figures: readonly CardFigure[]; label: string }) {
  return (
    <dl className="cards series-cards" aria-label={label}>
      {figures.map((f) => (
        <div className="card" key={f.label} title={f.title}>
          <dt>{f.label}</dt>
          <dd>
            <span className="card-row">
              <span className="card-value card-value-big" data-value={f.value ?? undefined}>
                {formatValue(f.value, f.unit)}
              </span>
              {f.change !== undefined ? (
                <span className="card-change">
                  <Signed value={f.change} unit={f.unit} />
                </span>
              ) : null}
            </span>
            {f.foot ? <span className="card-foot">{f.foot}</span> : null}
          </dd>
        </div>
      ))}
    </dl>
  )
}
