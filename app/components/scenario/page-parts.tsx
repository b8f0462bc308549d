import { Link } from '@remix-run/react'
import { Fragment, type ReactNode } from 'react'

/**
 * The page pieces the scenario and backtest pages share: the header with its breadcrumb, a panel
 * with a titled header, and a data table with its column heads. They render the same markup the
 * pages wrote inline, so the look and the tests' selectors stay as they were.
 */

export type Crumb = { to: string; label: ReactNode }

/**
 * The page header: a breadcrumb (`trail` links, then `here` as the current page), the h1, an
 * optional lede paragraph, and `aside` (actions or a picker) after the text block.
 */
export function PageHeader({ trail, here, title, lede, aside }: { trail: Crumb[]; here: ReactNode; title: ReactNode; lede?: ReactNode; aside?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <p className="breadcrumb">
          {trail.map((crumb) => (
            <Fragment key={crumb.to}>
              <Link to={crumb.to}>{crumb.label}</Link>
              {' / '}
            </Fragment>
          ))}
          <span aria-current="page">{here}</span>
        </p>
        <h1>{title}</h1>
        {lede ? <p className="page-lede">{lede}</p> : null}
      </div>
      {aside}
    </header>
  )
}

/**
 * A page section: a panel whose header holds the h2 (`id` labels the section) and an optional
 * `meta` line, then the content. `className` adds to `panel` (e.g. `chart-panel`).
 */
export function Panel({ id, title, meta, className, children }: { id: string; title: ReactNode; meta?: ReactNode; className?: string; children: ReactNode }) {
  return (
    <section className={className ? `panel ${className}` : 'panel'} aria-labelledby={id}>
      <div className="panel-header">
        <h2 id={id}>{title}</h2>
        {meta ? <span className="panel-meta">{meta}</span> : null}
      </div>
      {children}
    </section>
  )
}

/** A column of a data table: its head and how its cells align (the class of the head cell). */
export type Column = { label: ReactNode; align: 'text' | 'num' | 'time'; key?: string }

/** A column (text-aligned unless told). */
export const column = (label: ReactNode, align: Column['align'] = 'text', key?: string): Column => ({ label, align, key })

/** The head row of a data table: one `th scope="col"` a column. */
export function ColumnHeads({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column, i) => (
          <th scope="col" className={column.align} key={column.key ?? i}>
            {column.label}
          </th>
        ))}
      </tr>
    </thead>
  )
}

/**
 * A scrollable data table (`data-table` plus `className`) with its caption, column heads and the
 * body rows as children.
 */
export function DataTable({ className, caption, columns, children }: { className: string; caption: ReactNode; columns: Column[]; children: ReactNode }) {
  return (
    <div className="table-scroll">
      <table className={`data-table ${className}`}>
        <caption>{caption}</caption>
        <ColumnHeads columns={columns} />
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}
