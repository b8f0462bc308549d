import { useFetcher } from '@remix-run/react'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import type { CenterAnswer, MarketChoice, RunChoice } from './types.ts'
import { DATASETS, FORMATS, RESOLUTIONS, type Dataset } from './export-form.ts'
import { formatBytes, formatCount } from './format.ts'

/** A form item on a row of its own (the form is a wrapping row of fields). */
const FULL_ROW = { flexBasis: '100%', margin: 0 } as const

/** The form's values as one string: an estimate belongs to the values it was made for. */
function signatureOf(form: HTMLFormElement): string {
  const entries = [...new FormData(form).entries()].filter(([name]) => name !== 'intent' && name !== 'signature')
  return JSON.stringify(entries.map(([name, value]) => [name, String(value)]))
}

/**
 * The export form: dataset, market, nodes (the market's hubs and zones, or its curve hubs, plus
 * free text), runs, range (default the last 7 days), resolution, format. "Estimate size" asks the
 * server for rows and bytes (and whether the job is within the organization's limits); "Start
 * export" is offered once the estimate of the current values is in and within limits.
 */
export function ExportForm({
  markets,
  scenarioRuns,
  defaults,
}: {
  markets: MarketChoice[]
  scenarioRuns: RunChoice[]
  defaults: { from: string; to: string }
}) {
  const fetcher = useFetcher<CenterAnswer>()
  const formRef = useRef<HTMLFormElement>(null)
  const [dataset, setDataset] = useState<Dataset>('prices')
  const [marketId, setMarketId] = useState<string>(markets.find((m) => m.entitled)?.id ?? markets[0]?.id ?? '')
  const [signature, setSignature] = useState('')
  const market = markets.find((m) => m.id === marketId)
  const answer = fetcher.data
  const busy = fetcher.state !== 'idle'
  const estimate = answer?.intent === 'estimate' && answer.ok && answer.signature === signature ? answer.estimate : null
  const created = answer?.intent === 'create' && answer.ok ? answer.job : null

  useEffect(() => {
    if (formRef.current) setSignature(signatureOf(formRef.current))
  }, [dataset, marketId])

  const onChange = (event: FormEvent<HTMLFormElement>) => setSignature(signatureOf(event.currentTarget))
  const nodes = dataset === 'curves' ? (market?.curveHubs ?? []).map((name) => ({ name, type: 'hub' })) : (market?.nodes ?? [])

  return (
    <fetcher.Form method="post" ref={formRef} onChange={onChange} className="search-form download-form" aria-labelledby="export-title" data-testid="export-form">
      <h2 className="form-title" id="export-title">
        New export
      </h2>
      <input type="hidden" name="signature" value={signature} />
      <div className="field">
        <label htmlFor="export-dataset">Dataset</label>
        <select id="export-dataset" name="dataset" value={dataset} onChange={(e) => setDataset(e.currentTarget.value as Dataset)}>
          {DATASETS.map((d) => (
            <option key={d.value} value={d.value}>
              {d.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="export-market">Market</label>
        <select id="export-market" name="market" value={marketId} onChange={(e) => setMarketId(e.currentTarget.value)}>
          {dataset === 'scenario' ? <option value="">Every market of the run I may download</option> : null}
          {markets.map((m) => (
            <option key={m.id} value={m.id}>
              {m.id} · {m.name}
              {m.entitled ? '' : ' (not entitled)'}
            </option>
          ))}
        </select>
      </div>

      {dataset === 'scenario' ? (
        <>
          <div className="field">
            <label htmlFor="export-run-id">Scenario run</label>
            <input id="export-run-id" name="runId" list="export-run-ids" placeholder="run id (hex)" autoComplete="off" spellCheck={false} className="mono" />
            <datalist id="export-run-ids">
              {scenarioRuns.map((r) => (
                <option key={r.runId} value={r.runId}>
                  {r.label}
                </option>
              ))}
            </datalist>
            <p className="field-hint">{scenarioRuns.length > 0 ? `Finished runs: ${scenarioRuns.length}, suggested as you type.` : 'No finished run yet: run a scenario first.'}</p>
          </div>
          <div className="field">
            <label htmlFor="export-table">Table</label>
            <select id="export-table" name="table" defaultValue="prices">
              <option value="prices">Hub prices (with P10–P90 bands)</option>
              <option value="mix">Capacity, generation and load mix</option>
            </select>
          </div>
        </>
      ) : (
        <>
          <fieldset className="field-set" style={FULL_ROW}>
            <legend>{dataset === 'curves' ? 'Hubs' : 'Hubs and zones'}</legend>
            {nodes.length > 0 ? (
              <div className="checks download-node-picker" style={{ flexWrap: 'wrap', height: 'auto', gap: '6px 14px', maxHeight: '8.5rem', overflowY: 'auto' }}>
                {nodes.map((n) => (
                  <label key={`${marketId}:${n.name}`} className="check">
                    <input type="checkbox" name="nodes" value={n.name} /> <span className="mono">{n.name}</span>
                    <span className={`tag tag-${n.type}`}>{n.type}</span>
                  </label>
                ))}
              </div>
            ) : (
              <p className="muted">{dataset === 'curves' ? 'No curve hub in this market yet.' : 'No hub or zone known in this market yet.'}</p>
            )}
          </fieldset>
          <div className="field">
            <label htmlFor="export-extra-nodes">Other nodes</label>
            <input id="export-extra-nodes" name="extraNodes" placeholder="node names, separated by commas" autoComplete="off" spellCheck={false} style={{ minWidth: '320px' }} />
          </div>
        </>
      )}

      {dataset === 'prices' ? (
        <>
          <fieldset className="field-set">
            <legend>Runs</legend>
            <div className="checks">
              {(market?.runs ?? ['DA']).map((run) => (
                <label key={`${marketId}:${run}`} className="check">
                  <input type="checkbox" name="runs" value={run} defaultChecked={run === 'DA'} /> {run}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="field">
            <label htmlFor="export-from">From (UTC day)</label>
            <input id="export-from" name="from" type="date" defaultValue={defaults.from} required />
          </div>
          <div className="field">
            <label htmlFor="export-to">To (UTC day, included)</label>
            <input id="export-to" name="to" type="date" defaultValue={defaults.to} required />
          </div>
          <div className="field">
            <label htmlFor="export-resolution">Resolution</label>
            <select id="export-resolution" name="resolution" defaultValue="raw">
              {RESOLUTIONS.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </div>
        </>
      ) : null}
      {dataset === 'curves' ? (
        <div className="field">
          <label htmlFor="export-as-of">As of</label>
          <input id="export-as-of" name="asOf" type="date" />
          <p className="field-hint">Empty: the latest build of each hub.</p>
        </div>
      ) : null}

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
        <button type="submit" name="intent" value="estimate" className="button" disabled={busy}>
          Estimate size
        </button>
        <button type="submit" name="intent" value="create" className="button button-primary" disabled={busy || !estimate?.withinLimits}>
          Start export
        </button>
      </div>

      <div aria-live="polite" className="download-answer" style={FULL_ROW}>
        {busy ? <p className="muted">{fetcher.formData?.get('intent') === 'create' ? 'Starting the export…' : 'Estimating…'}</p> : null}
        {!busy && estimate ? <EstimateView estimate={estimate} /> : null}
        {!busy && answer?.intent === 'estimate' && answer.ok && !estimate ? <p className="muted">The form changed since the estimate: estimate again.</p> : null}
        {!busy && created ? (
          <p className="flash flash-ok" role="status" data-testid="export-started">
            Export {created.filename} started: follow it in the list below.
          </p>
        ) : null}
        {!busy && answer && !answer.ok && (answer.intent === 'estimate' || answer.intent === 'create') ? (
          <p className="flash flash-error" role="alert" data-testid="export-error">
            {answer.error}
          </p>
        ) : null}
      </div>
    </fetcher.Form>
  )
}

function EstimateView({ estimate }: { estimate: { rows: number; bytes: number; filename: string; withinLimits: boolean; limitReason: string | null; markets: string[] } }) {
  return (
    <div className={estimate.withinLimits ? 'flash flash-ok' : 'flash flash-error'} role="status" data-testid="export-estimate" data-rows={estimate.rows} data-bytes={estimate.bytes}>
      <strong>
        About {formatCount(estimate.rows)} rows, {formatBytes(estimate.bytes)}
      </strong>{' '}
      as <span className="mono">{estimate.filename}</span> ({estimate.markets.join(', ')}).{' '}
      {estimate.withinLimits ? 'Within your organization’s limits.' : `Not possible: ${estimate.limitReason ?? 'over a limit'}.`}
    </div>
  )
}
