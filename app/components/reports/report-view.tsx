import type { ChartSection, ReportSection, ReportView, TableSection } from '#server/services/reports/view.ts'

/**
 * A report view (server/services/reports/view.ts) as HTML: the same title, facts, tables
 * (cells are the view's strings), charts (inline SVG from the same layout the PDF draws) and
 * texts as the PDF. Used by the hub's report pages and by the API's text/html answers.
 */

function ReportTable({ section, id }: { section: TableSection; id: string }) {
  if (section.rows.length === 0) return <p className="report-empty">{section.empty}</p>
  return (
    <div className="table-scroll">
      <table className="data-table report-table" aria-labelledby={id}>
        <thead>
          <tr>
            {section.columns.map((c, i) => (
              <th key={`${c.label}${i}`} scope="col" className={c.align === 'right' ? 'num' : 'text'}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {section.rows.map((row, r) => (
            <tr key={r} data-row={row[0]}>
              {row.map((cell, i) =>
                i === 0 ? (
                  <th key={i} scope="row" className="text">
                    {cell}
                  </th>
                ) : (
                  <td key={i} className={section.columns[i]?.align === 'right' ? 'num' : 'text'}>
                    {cell}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function ReportChart({ section }: { section: ChartSection }) {
  const { chart } = section
  if (chart.empty) return <p className="report-empty">{section.empty}</p>
  const { plot } = chart
  return (
    <figure className="report-chart">
      <svg viewBox={`0 0 ${chart.width} ${chart.height}`} width="100%" role="img" aria-label={section.title} preserveAspectRatio="xMidYMid meet">
        <rect x={plot.left} y={plot.top} width={plot.right - plot.left} height={plot.bottom - plot.top} fill="#fff" stroke="#9ca3af" strokeWidth={0.6} />
        {chart.yTicks.map((t) => (
          <g key={`y${t.label}`}>
            <line x1={plot.left} x2={plot.right} y1={t.position} y2={t.position} stroke="#e5e7eb" strokeWidth={0.5} />
            <text x={plot.left - 4} y={t.position + 3} textAnchor="end" fontSize={9} fill="#374151">
              {t.label}
            </text>
          </g>
        ))}
        {chart.xTicks.map((t) => (
          <g key={`x${t.label}`}>
            <line x1={t.position} x2={t.position} y1={plot.bottom} y2={plot.bottom + 3} stroke="#6b7280" strokeWidth={0.6} />
            <text x={t.position} y={plot.bottom + 13} textAnchor="middle" fontSize={9} fill="#374151">
              {t.label}
            </text>
          </g>
        ))}
        {chart.lines.flatMap((line) =>
          line.segments.map((points, i) => (
            <polyline
              key={`${line.name}${i}`}
              className="report-line"
              data-series={line.name}
              points={points}
              fill="none"
              stroke={line.color}
              strokeWidth={1.4}
              strokeDasharray={line.dashed ? '4 3' : undefined}
            />
          )),
        )}
      </svg>
      <figcaption className="report-legend">
        {chart.lines.map((line) => (
          <span key={line.name} className="report-legend-item">
            <svg width="16" height="6" aria-hidden="true">
              <line x1={0} x2={16} y1={3} y2={3} stroke={line.color} strokeWidth={2} strokeDasharray={line.dashed ? '3 2' : undefined} />
            </svg>
            {line.name}
          </span>
        ))}
      </figcaption>
    </figure>
  )
}

function Section({ section, index }: { section: ReportSection; index: number }) {
  const id = `report-section-${index}`
  return (
    <section className={`report-section report-${section.kind}`} aria-labelledby={id}>
      <h2 id={id}>{section.title}</h2>
      {section.kind !== 'text' && section.note ? <p className="report-note">{section.note}</p> : null}
      {section.kind === 'table' ? (
        <ReportTable section={section} id={id} />
      ) : section.kind === 'chart' ? (
        <ReportChart section={section} />
      ) : (
        <pre className={section.mono ? 'report-pre' : 'report-prose'}>{section.text}</pre>
      )}
    </section>
  )
}

/** The report itself (no page chrome): header, facts, message and sections, then the footer line. */
export function ReportBody({ view }: { view: ReportView }) {
  return (
    <article className="report" aria-labelledby="report-title">
      <header className="report-header">
        <h1 id="report-title">{view.title}</h1>
        <p className="report-subtitle">{view.subtitle}</p>
        <dl className="report-facts">
          {view.facts.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      </header>
      {view.message ? (
        <p className="report-message" role="status">
          {view.message}
        </p>
      ) : null}
      {view.sections.map((s, i) => (
        <Section key={i} section={s} index={i} />
      ))}
      <p className="report-footer">{view.footer}</p>
    </article>
  )
}

/**
 * The links above a hub report: its PDF, the catalogue and, for a kind that can be subscribed to,
 * the subscription note (hidden in print). `subscribeKind` names the report in the link, so the
 * download center's subscribe form opens with that report picked (`/downloads?subscribe=fuels`).
 */
export function ReportActions({ pdfHref, subscribable = true, subscribeKind }: { pdfHref: string; subscribable?: boolean; subscribeKind?: string }) {
  const subscribeHref = subscribeKind ? `/downloads?${new URLSearchParams({ subscribe: subscribeKind }).toString()}#reports-title` : '/downloads'
  return (
    <nav className="report-actions" aria-label="Report actions">
      <a className="button" href={pdfHref} download>
        Download PDF
      </a>
      <a href="/reports">All reports</a>
      {subscribable ? (
        <span className="muted" data-testid="report-subscribe">
          Subscribe daily: have this report delivered as a PDF each day from <a href={subscribeHref}>Downloads</a>.
        </span>
      ) : null}
    </nav>
  )
}
