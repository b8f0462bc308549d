import { Link } from '@remix-run/react'
import { scenarioHref, shortId } from '#app/utils/scenarios.ts'

type LineageLink = { name: string; scenarioId: string; versionId: string; version: number; canonicalHash: string }
type LineageProps = {
  runId: string
  inputsHash: string
  mode: string
  draws: number | null
  seed: number | null
  lineage: {
    chain: LineageLink[]
    baseDataVersion: string
    fuelHistoryId: string
    engineVersion: string
    requestedByLabel: string
    requestedAt: string
  }
}

/**
 * Where a run's numbers come from: the scenario version and its parents up to the root (each with
 * its version and canonical hash), the base-data and fuel-history snapshots, the engine, who asked
 * and when, and the run's identity (run id, inputs hash, draws and seed of a Monte Carlo run).
 */
export function LineagePanel({ runId, inputsHash, mode, draws, seed, lineage }: LineageProps) {
  return (
    <section className="panel scenario-lineage" aria-labelledby="lineage-title">
      <div className="panel-header">
        <h2 id="lineage-title">Lineage</h2>
        <span className="panel-meta">Rerunning the same inputs gives the same run id and the same numbers</span>
      </div>
      <div className="scenario-lineage-body">
        <ol className="lineage-chain" aria-label="Scenario chain, from this scenario to its root">
          {lineage.chain.map((link, i) => (
            <li key={link.versionId} className="lineage-link" data-scenario={link.name} data-version={link.version}>
              <Link to={scenarioHref(link.scenarioId, link.version)}>
                {link.name} v{link.version}
              </Link>{' '}
              <span className="mono muted" title={`Canonical hash ${link.canonicalHash}`}>
                {shortId(link.canonicalHash)}
              </span>
              {i < lineage.chain.length - 1 ? <span className="lineage-extends"> extends</span> : null}
            </li>
          ))}
        </ol>
        <dl className="lineage-facts">
          <div>
            <dt>Run id</dt>
            <dd className="mono" data-run-id={runId}>
              {runId}
            </dd>
          </div>
          <div>
            <dt>Inputs hash</dt>
            <dd className="mono" title={inputsHash}>
              {shortId(inputsHash)}
            </dd>
          </div>
          <div>
            <dt>Mode</dt>
            <dd>{mode === 'montecarlo' ? `Monte Carlo · ${draws ?? '—'} draws · seed ${seed ?? '—'}` : 'Deterministic'}</dd>
          </div>
          <div>
            <dt>Engine</dt>
            <dd className="mono">{lineage.engineVersion}</dd>
          </div>
          <div>
            <dt>Base data</dt>
            <dd className="mono">{lineage.baseDataVersion}</dd>
          </div>
          <div>
            <dt>Fuel history</dt>
            <dd className="mono">{lineage.fuelHistoryId}</dd>
          </div>
          <div>
            <dt>Requested by</dt>
            <dd>
              {lineage.requestedByLabel} · {lineage.requestedAt.slice(0, 16).replace('T', ' ')} UTC
            </dd>
          </div>
        </dl>
      </div>
    </section>
  )
}
