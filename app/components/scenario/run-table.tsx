import { Link } from '@remix-run/react'
import type { RunSummary } from '#server/services/scenarios/schemas.ts'
import { runHref, utcMinute } from '#app/utils/scenarios.ts'
import { column, DataTable } from './page-parts.tsx'
import { RunStatusTag } from './run-status.tsx'

/** A run as a page's loader sends it (timestamps as ISO strings). */
export type RunRow = Pick<RunSummary, 'runId' | 'scenarioName' | 'version' | 'mode' | 'status' | 'progress' | 'requestedAt' | 'finishedAt'>

/**
 * Runs, newest first: id (a link to the run), version, mode, status with progress, requested.
 * `across` is for a list of several scenarios' runs: the version column names the scenario and a
 * finished column follows; a scenario's own list shows only the version.
 */
export function RunTable({ runs, caption, across }: { runs: RunRow[]; caption: string; across: boolean }) {
  const columns = [column('Run'), column(across ? 'Scenario' : 'Version'), column('Mode'), column('Status'), column('Requested', 'time')]
  if (across) columns.push(column('Finished', 'time'))
  return (
    <DataTable className="scenario-runs" caption={caption} columns={columns}>
      {runs.map((r) => (
        <tr key={r.runId} data-run={r.runId}>
          <th scope="row" className="text mono">
            <Link to={runHref(r.runId)} title={`Run ${r.runId}`}>
              {r.runId.slice(0, 12)}
            </Link>
          </th>
          {across ? (
            <td className="text">
              {r.scenarioName} <span className="muted">v{r.version}</span>
            </td>
          ) : (
            <td className="text">v{r.version}</td>
          )}
          <td className="text">{r.mode === 'montecarlo' ? 'Monte Carlo' : 'Deterministic'}</td>
          <td className="text">
            <RunStatusTag status={r.status} progress={r.progress} />
          </td>
          <td className="time">{utcMinute(r.requestedAt)}</td>
          {across ? <td className="time">{utcMinute(r.finishedAt)}</td> : null}
        </tr>
      ))}
    </DataTable>
  )
}
