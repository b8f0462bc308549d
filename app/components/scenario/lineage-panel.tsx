import { Link } from '@remix-run/react'
import { scenarioHref, shortId } from '#app/utils/scenarios.ts'

type LineageLink = { name: string; scenarioId: string; versionId: string; version: number; canonicalHash: string }
/** The Henry Hub forward curve a run's `set fuel.gas = forward` priced gas with (server/services/scenarios/fuel-inputs.ts). */
type GasForward = { id: string; name: string; curveId: string; version: number; asOf: string; first: string; last: string; months: number }
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
    /** Null or absent: the run did not use a forward curve (its scenario does not set fuel.gas = forward). */
    gasForward?: GasForward | null
    engineVersion: string
    requestedByLabel: string
    requestedAt: string
  }
}

/**
 * Where a run's numbers come from: the scenario version and its parents up to the root (each with
 * its version and canonical hash), the base-data and fuel-history snapshots, the Henry Hub forward
 * curve its `set fuel.gas = forward` followed (or that it used none), the engine, who asked and when, and the run's identity (run id, inputs hash, draws and seed of a Monte Carlo run).
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
            <dt>Gas forward</dt>
            <GasForwardFact forward={lineage.gasForward ?? null} />
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

/**
 * The forward curve fact: which curve, build version and as-of date, and the months it holds (the
 * months a `forward` set is in force take their price from it, beyond the last its last price);
 * without one, that the scenario did not ask for it.
 */
export function GasForwardFact({ forward }: { forward: GasForward | null }) {
  if (!forward) return <dd data-gas-forward="none">Not used: the scenario does not set fuel.gas = forward</dd>
  return (
    <dd data-gas-forward={forward.id} title={`Forward curve snapshot ${forward.id} (${forward.curveId})`}>
      {forward.name} v{forward.version} as of {forward.asOf} · {forward.first} to {forward.last} ({forward.months} months)
    </dd>
  )
}
