import { useFetcher } from '@remix-run/react'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { FORMATS } from './export-form.ts'
import { formatBytes, formatCount } from './format.ts'
import { SERIES_INTENTS } from './series-export-form.ts'
import type { SeriesAnswer, SeriesScopeChoice } from './series-export.server.ts'

const FULL_ROW = { flexBasis: '100%', margin: 0 } as const

function signatureOf(form: HTMLFormElement): string {
  const entries = [...new FormData(form).entries()].filter(([name]) => name !== 'intent' && name !== 'signature')
  return JSON.stringify(entries.map(([name, value]) => [name, String(value)]))
}

/** The measures of a scope's series, in the catalogue's order, prices first when there are any. */
function measuresOf(scope: SeriesScopeChoice | undefined): string[] {
  const measures = [...new Set((scope?.series ?? []).map((s) => s.measure))]
  return measures.includes('price') ? ['price', ...measures.filter((m) => m !== 'price')] : measures
}

/** One entry per series id of a measure, with the frequencies stored (Henry Hub: day and month) and the span. */
function seriesOf(scope: SeriesScopeChoice | undefined, measure: string) {
  const byId = new Map<string, { series: string; frequencies: string[]; unit: string; first: string; last: string; count: number }>()
  for (const s of scope?.series ?? []) {
    if (s.measure !== measure) continue
    const e = byId.get(s.series)
    if (e) {
      e.frequencies.push(s.frequency)
      e.count += s.count
      if (s.first < e.first) e.first = s.first
      if (s.last > e.last) e.last = s.last
    } else byId.set(s.series, { series: s.series, frequencies: [s.frequency], unit: s.unit, first: s.first, last: s.last, count: s.count })
  }
  return [...byId.values()]
}

/**
 * The series export form (docs/decisions/023): a product the organization may download (or a
 * market's EIA-930 fundamentals), a measure, series, a range of period starts (default: the year
 * up to the newest stored), format. As the prices form: "Estimate size" first, "Start export" once
 * the estimate of the current values is in and within limits; the job shows in the list below.
 */
export function SeriesExportForm({ scopes }: { scopes: SeriesScopeChoice[] }) {
  const fetcher = useFetcher<SeriesAnswer>()
  const formRef = useRef<HTMLFormElement>(null)
  const [scopeId, setScopeId] = useState(scopes.find((s) => s.series.length > 0)?.value ?? scopes[0]?.value ?? '')
  const scope = scopes.find((s) => s.value === scopeId)
  const measures = measuresOf(scope)
  const [measure, setMeasure] = useState(measures[0] ?? 'price')
  const [signature, setSignature] = useState('')
  const answer = fetcher.data
  const busy = fetcher.state !== 'idle'
  const estimate = answer?.intent === SERIES_INTENTS.estimate && answer.ok && answer.signature === signature ? answer.estimate : null
  const created = answer?.intent === SERIES_INTENTS.create && answer.ok ? answer.job : null
  const series = seriesOf(scope, measure)

  useEffect(() => {
    if (formRef.current) setSignature(signatureOf(formRef.current))
  }, [scopeId, measure])

  const pickScope = (value: string) => {
    setScopeId(value)
    setMeasure(measuresOf(scopes.find((s) => s.value === value))[0] ?? 'price')
  }

  if (scopes.length === 0) {
    return (
      <section className="panel" aria-labelledby="series-export-title" data-testid="series-export-none">
        <h2 className="form-title" id="series-export-title">
          Series beside power
        </h2>
        <p className="muted">Your organization may download no gas, LNG, LCFS or REC series and no market fundamentals.</p>
      </section>
    )
  }

  return (
    <fetcher.Form
      method="post"
      ref={formRef}
      onChange={(e: FormEvent<HTMLFormElement>) => setSignature(signatureOf(e.currentTarget))}
      className="search-form download-form"
      aria-labelledby="series-export-title"
      data-testid="series-export-form"
    >
      <h2 className="form-title" id="series-export-title">
        New series export
      </h2>
      <input type="hidden" name="signature" value={signature} />
      <div className="field">
        <label htmlFor="series-export-scope">Product</label>
        <select id="series-export-scope" name="scope" value={scopeId} onChange={(e) => pickScope(e.currentTarget.value)}>
          {scopes.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
              {s.series.length === 0 ? ' (nothing stored)' : ''}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="series-export-measure">Measure</label>
        <select id="series-export-measure" name="measure" value={measure} onChange={(e) => setMeasure(e.currentTarget.value)} disabled={measures.length === 0}>
          {measures.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="field-set" style={FULL_ROW}>
        <legend>Series</legend>
        {series.length > 0 ? (
          <div className="checks download-node-picker" style={{ flexWrap: 'wrap', height: 'auto', gap: '6px 14px', maxHeight: '8.5rem', overflowY: 'auto' }}>
            {series.map((s) => (
              <label key={`${scopeId}:${measure}:${s.series}`} className="check" title={`${formatCount(s.count)} values, ${s.first.slice(0, 10)} to ${s.last.slice(0, 10)}`}>
                <input type="checkbox" name="series" value={s.series} /> <span className="mono">{s.series}</span>
                <span className="muted">
                  {s.frequencies.join(', ')} · {s.unit}
                </span>
              </label>
            ))}
          </div>
        ) : (
          <p className="muted">No series of this product is stored yet.</p>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor="series-export-from">From (period start, UTC day)</label>
        <input key={`from:${scopeId}`} id="series-export-from" name="from" type="date" defaultValue={scope?.defaults.from} required />
      </div>
      <div className="field">
        <label htmlFor="series-export-to">To (UTC day, included)</label>
        <input key={`to:${scopeId}`} id="series-export-to" name="to" type="date" defaultValue={scope?.defaults.to} required />
      </div>
      <fieldset className="field-set">
        <legend>Format</legend>
        <div className="checks">
          {FORMATS.map((f) => (
            <label key={f.value} className="check">
              <input type="radio" name="format" value={f.value} defaultChecked={f.value === 'csv'} /> {f.label}
            </label>
          ))}
        </div>
      </fieldset>

      <div className="field field-actions">
        <button type="submit" name="intent" value={SERIES_INTENTS.estimate} className="button" disabled={busy}>
          Estimate size
        </button>
        <button type="submit" name="intent" value={SERIES_INTENTS.create} className="button button-primary" disabled={busy || !estimate?.withinLimits}>
          Start export
        </button>
      </div>

      <div aria-live="polite" className="download-answer" style={FULL_ROW}>
        {busy ? <p className="muted">{fetcher.formData?.get('intent') === SERIES_INTENTS.create ? 'Starting the export…' : 'Estimating…'}</p> : null}
        {!busy && estimate ? (
          <div
            className={estimate.withinLimits ? 'flash flash-ok' : 'flash flash-error'}
            role="status"
            data-testid="series-export-estimate"
            data-rows={estimate.rows}
            data-bytes={estimate.bytes}
          >
            <strong>
              About {formatCount(estimate.rows)} rows, {formatBytes(estimate.bytes)}
            </strong>{' '}
            as <span className="mono">{estimate.filename}</span> ({estimate.markets.join(', ')}).{' '}
            {estimate.withinLimits ? 'Within your organization’s limits.' : `Not possible: ${estimate.limitReason ?? 'over a limit'}.`}
          </div>
        ) : null}
        {!busy && answer?.intent === SERIES_INTENTS.estimate && answer.ok && !estimate ? <p className="muted">The form changed since the estimate: estimate again.</p> : null}
        {!busy && created ? (
          <p className="flash flash-ok" role="status" data-testid="series-export-started">
            Export {created.filename} started: follow it in the list below.
          </p>
        ) : null}
        {!busy && answer && !answer.ok ? (
          <p className="flash flash-error" role="alert" data-testid="series-export-error">
            {answer.error}
          </p>
        ) : null}
      </div>
    </fetcher.Form>
  )
}
