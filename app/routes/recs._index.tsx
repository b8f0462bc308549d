import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { SeriesTable, type Column } from '#app/components/series/series-table.tsx'
import { formatValue } from '#app/components/series/series-view.ts'
import { formatInteger } from '#app/utils/format.ts'
import { loadRecs, submitRecUpload, type RecRow, type RecUploadAnswer } from '#app/utils/hub-products.server.ts'

export const meta: MetaFunction = () => [{ title: 'RECs · Renewable energy certificate quotes · 254Carbon' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadRecs(request, context)
}

/** An analyst's CSV of quotes, through the series pipeline; the answer says what became of each row. */
export async function action({ request, context }: ActionFunctionArgs) {
  return submitRecUpload(request, context)
}

const UNIT = '$/MWh'

function recColumns(classes: Record<string, string>): Column<RecRow>[] {
  return [
    { key: 'state', label: 'State', cell: (r) => r.state },
    { key: 'program', label: 'Program', cell: (r) => r.program },
    { key: 'class', label: 'Class', cell: (r) => <span title={classes[r.recClass]}>{r.recClass}</span> },
    { key: 'vintage', label: 'Vintage', cell: (r) => r.vintage },
    { key: 'series', label: 'Series', cell: (r) => <Link to={`/recs/${r.series}`}>{r.series}</Link> },
    { key: 'date', label: 'Latest quote', cell: (r) => <time dateTime={r.date}>{r.date}</time> },
    { key: 'price', label: `Price (${UNIT})`, num: true, cell: (r) => formatValue(r.price, UNIT) },
    { key: 'bid', label: 'Bid', num: true, cell: (r) => formatValue(r.bid, UNIT) },
    { key: 'ask', label: 'Ask', num: true, cell: (r) => formatValue(r.ask, UNIT) },
    { key: 'quotes', label: 'Quotes', num: true, cell: (r) => formatInteger(r.quotes) },
  ]
}

/** What became of an upload: the quotes sent to the store, the rows refused (line, field, value, reason). */
function UploadAnswer({ answer }: { answer: RecUploadAnswer }) {
  if (!answer.ok) {
    return (
      <div className="flash flash-error rec-upload-answer" role="alert">
        <strong>The file was not taken.</strong> {answer.message}
      </div>
    )
  }
  const listed = answer.problems.length
  return (
    <div className={answer.issues > 0 ? 'flash flash-warn rec-upload-answer' : 'flash flash-ok rec-upload-answer'} role="status" data-records={answer.records} data-issues={answer.issues}>
      <p>
        <strong>{answer.file}</strong>: {formatInteger(answer.records)} quote(s) sent to the store
        {answer.issues > 0 ? `, ${formatInteger(answer.issues)} row(s) refused` : ''}.{' '}
        {answer.records > 0 ? (
          <>
            They appear in the table once stored, usually within seconds: <Link to="/recs">refresh</Link>.
          </>
        ) : null}
      </p>
      {answer.error ? <p className="rec-upload-error">{answer.error}</p> : null}
      {listed > 0 ? (
        <div className="table-scroll">
          <table className="data-table rec-upload-problems">
            <caption>
              Refused rows{answer.issues > listed ? ` (the first ${listed} of ${answer.issues})` : ''}: correct them and upload the file again
            </caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Line
                </th>
                <th scope="col">Field</th>
                <th scope="col">Value</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {answer.problems.map((p) => (
                <tr key={`${p.line}:${p.field}`}>
                  <td className="num">{p.line}</td>
                  <td className="text mono">{p.field}</td>
                  <td className="text mono">{p.value === '' ? <span className="muted">(empty)</span> : p.value}</td>
                  <td className="text">{p.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  )
}

/**
 * RECs: every REC series (state, program, class, vintage) with its latest quote, each linking to
 * its history; analysts upload quotes as CSV in the documented layout (the template holds its
 * header) and see which rows were refused and why.
 */
export default function RecsPage() {
  const { rows, classes, header, canUpload, maxUploadBytes } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const navigation = useNavigation()
  const uploading = navigation.state === 'submitting' && navigation.formMethod?.toLowerCase() === 'post'
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / RECs
          </p>
          <h1>
            RECs <span className="h1-sub">Renewable energy certificate quotes</span>
          </h1>
          <p className="page-lede">
            Quotes entered by analysts (broker sheets, trade confirmations): no publisher serves REC prices. {UNIT} (one certificate is one
            MWh), by quote date; the vintage as each program labels it (NJ and PA: the energy year, named by the year it ends).
          </p>
        </div>
      </header>
      {answer ? <UploadAnswer answer={answer} /> : null}
      {rows.length === 0 ? (
        <EmptyState title="No REC quotes stored yet">{canUpload ? 'Upload a CSV of quotes below.' : 'An analyst of your organization can upload quotes.'}</EmptyState>
      ) : (
        <section className="panel" aria-label="REC quotes">
          <SeriesTable
            caption={`REC series and their latest quote, ${UNIT}, by state, program, class and vintage`}
            columns={recColumns(classes)}
            rows={rows}
            rowKey={(r) => r.series}
            className="recs-table"
          />
        </section>
      )}
      {canUpload ? (
        <Form method="post" encType="multipart/form-data" className="search-form rec-upload-form" aria-labelledby="rec-upload-title">
          <h2 className="form-title" id="rec-upload-title">
            Upload quotes
          </h2>
          <div className="field">
            <label htmlFor="rec-file">CSV file (at most {maxUploadBytes / (1024 * 1024)} MB)</label>
            <input id="rec-file" name="file" type="file" accept=".csv,text/csv,text/plain" required />
            <p className="field-hint">
              Header, exactly: <span className="mono">{header}</span> ·{' '}
              <a href="/recs/template" download>
                download the template
              </a>
            </p>
          </div>
          <div className="field field-actions">
            <button type="submit" className="button button-primary" disabled={uploading}>
              {uploading ? 'Uploading…' : 'Upload'}
            </button>
          </div>
          <ul className="field-hint rec-layout">
            <li>
              <span className="mono">date</span> the quote&rsquo;s date, YYYY-MM-DD; <span className="mono">state</span> two-letter code, upper
              case; <span className="mono">program</span> e.g. RPS, AEPS
            </li>
            <li>
              <span className="mono">class</span> one of {Object.keys(classes).join(', ')}; <span className="mono">vintage</span> the
              certificate&rsquo;s year, at most five years after the quote
            </li>
            <li>
              <span className="mono">price</span> {UNIT}, required; <span className="mono">bid</span>, <span className="mono">ask</span>{' '}
              optional; <span className="mono">source_note</span> optional text (quote it when it holds a comma)
            </li>
          </ul>
        </Form>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
