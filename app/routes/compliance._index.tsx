import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { loadOverview } from '#app/components/compliance/compliance.server.ts'
import { PositionsTable } from '#app/components/compliance/positions.tsx'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'

export const meta: MetaFunction = () => [
  { title: 'Compliance · 254Carbon' },
  { name: 'description', content: 'Compliance positions per program and year: LCFS credits and RPS RECs against obligations, valued at the latest price.' },
]

/** The programs of the products the organization may see (LCFS, REC) with their positions; 403 without either. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadOverview(request, context)
}

export default function ComplianceOverview() {
  const { sections } = useLoaderData<typeof loader>()
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Compliance</h1>
          <p className="page-lede">
            Your organization&apos;s obligations, certificates held and retired, per program and compliance year: the position (holdings − what is
            still owed) and what a shortfall costs at the latest price.
          </p>
        </div>
      </header>
      {sections.map(({ product, programs }) =>
        programs.map(({ program, positions }) => (
          <section key={program.id} className="panel" aria-labelledby={`program-${program.id}`}>
            <header className="panel-header">
              <h2 id={`program-${program.id}`}>
                <Link to={`/compliance/${program.id}`}>{program.name}</Link>
                <span className="panel-subtitle">
                  {program.id} · {product}
                </span>
              </h2>
              <p className="panel-meta">
                <Link to={`/compliance/${program.id}`}>Entries and forms →</Link>
              </p>
            </header>
            {positions.length === 0 ? (
              <EmptyState title="No obligation recorded yet">Obligations, lots and retirements are recorded under “Entries and forms”.</EmptyState>
            ) : (
              <PositionsTable positions={positions} caption={`${program.id} positions per compliance year and class`} />
            )}
          </section>
        )),
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
