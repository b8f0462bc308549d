import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { Flash } from '#app/components/admin-ui.tsx'
import { loadProgramPage, programAction } from '#app/components/compliance/compliance.server.ts'
import { EntryForms, EntryTables } from '#app/components/compliance/entries.tsx'
import { PositionChart, PositionsTable } from '#app/components/compliance/positions.tsx'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'

export const meta: MetaFunction<typeof loader> = ({ data, params }) => [{ title: `${data?.program.name ?? params.program ?? 'Compliance'} · Compliance · 254Carbon` }]

/** One program's positions and entries; the forms for analysts. 403 without the program's product (LCFS or REC) in the hub. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadProgramPage(request, context, params)
}

/** Records or removes one entry (analysts only); a refusal comes back to its form naming the field. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return programAction(request, context, params)
}

const DONE: Record<string, string> = {
  obligation: 'Obligation recorded.',
  lot: 'Holding lot recorded.',
  retirement: 'Retirement recorded.',
  remove: 'Entry removed.',
}

export default function ComplianceProgram() {
  const { program, positions, entries, canWrite, latestRetirementDate, ok } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>() ?? null
  const periods = [...new Set(positions.map((p) => p.period))]
  const defaultYear = periods.at(-1) ?? new Date().getUTCFullYear()
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/compliance">Compliance</Link> / <span aria-current="page">{program.id}</span>
          </p>
          <h1>
            {program.name} <span className="h1-sub">{program.id}</span>
          </h1>
          <p className="page-lede">
            Compliance years run from month {program.periodStartMonth}, named by the year they {program.periodNamedBy} in. Position = holdings whose
            vintage may still be retired against the year − the obligation not yet retired. Valued at: {program.priceRule}
          </p>
        </div>
      </header>

      {ok && !answer ? <Flash tone="ok">{DONE[ok]}</Flash> : null}
      {answer?.intent === 'remove' ? <Flash tone="error">{answer.message}</Flash> : null}

      <section className="panel" aria-labelledby="positions-title">
        <header className="panel-header">
          <h2 id="positions-title">Positions</h2>
          <p className="panel-meta">
            Classes: {program.classes.map((c) => `${c.class}${c.carveOutOf ? ` (carve-out of ${c.carveOutOf})` : ''}, ${c.bankingPriorYears === null ? 'no expiry' : `banked ${c.bankingPriorYears} years`}`).join('; ')}
          </p>
        </header>
        {positions.length === 0 ? (
          <EmptyState title="No obligation recorded yet">
            {canWrite ? 'Record an obligation below, then the lots you hold and what you retired.' : 'An analyst of your organization records obligations, lots and retirements here.'}
          </EmptyState>
        ) : (
          <>
            {periods.length > 1 || positions.length > 1 ? <PositionChart positions={positions} /> : null}
            <PositionsTable positions={positions} caption={`${program.id} positions per compliance year and class`} />
          </>
        )}
      </section>

      {canWrite ? (
        <EntryForms program={program} answer={answer} latestRetirementDate={latestRetirementDate} defaultYear={defaultYear} />
      ) : (
        <p className="notice">Recording and removing entries needs the analyst role; you can read them.</p>
      )}

      <EntryTables program={program} entries={entries} canWrite={canWrite} />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
