import { MARKETS } from '@carbon/schemas'
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { accessData } from '#app/utils/data-access.server.ts'
import reportsCss from '#app/styles/reports.css?url'
import { entitledProducts } from '#server/services/auth/entitlements.ts'
import { listCurves } from '#server/services/curves/index.ts'
import { listRuns } from '#server/services/scenarios/index.ts'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: reportsCss }]

export const meta: MetaFunction = () => [
  { title: 'Reports · 254Carbon' },
  { name: 'description', content: 'Printable market summaries, forward curve reports, scenario reports and gas, LNG and environmental reports, each as a page and a PDF.' },
]

/**
 * The report catalogue: a market and day for the market summary, a hub and as-of dates for the
 * curve report, a finished scenario run, a date for the gas, LNG and environmental report; each
 * opens the printable page or its PDF. Lists only what the user may see in the hub (audited as
 * hub:reports): the fuels report names the products it will show, or why there is none.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const access = await accessData(request, context, { procedure: 'hub:reports' })
  const { db } = access.platform.pg
  const { principal } = access
  const { curves } = await listCurves(db, access.entitled, { organizationId: principal.organizationId })
  const runs = await listRuns(db, { organizationId: principal.organizationId, userId: principal.userId, label: principal.label })
  const products = await entitledProducts(db, principal, 'hub')
  await access.served({ details: { curves: curves.length, runs: runs.length, products } })
  return {
    products,
    markets: access.entitled.map((id) => ({ id, name: MARKETS[id].name })),
    curves: curves.filter((c) => c.asOfDates.length > 0).map((c) => ({ market: c.market, node: c.node, name: c.name, asOfDates: c.asOfDates })),
    runs: runs
      .filter((r) => r.status === 'done')
      .map((r) => ({ runId: r.runId, label: `${r.scenarioName} v${r.version} · ${r.mode} · ${r.owner === 'house' ? '254Carbon' : 'your organization'} · ${(r.finishedAt ?? r.requestedAt).slice(0, 10)}` })),
  }
}

function Buttons({ kind }: { kind: string }) {
  return (
    <p className="report-links">
      <button type="submit" className="button">
        Open report
      </button>
      <button type="submit" className="button button-secondary" formAction={`/reports/${kind}.pdf`}>
        Download PDF
      </button>
    </p>
  )
}

export default function ReportsIndex() {
  const { markets, curves, runs, products } = useLoaderData<typeof loader>()
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / <span aria-current="page">Reports</span>
          </p>
          <h1>Reports</h1>
          <p className="page-lede">
            Each report is a printable page and a PDF with the same numbers. To receive one every day, subscribe in <Link to="/downloads">Downloads</Link>.
          </p>
        </div>
      </header>
      <div className="report-catalogue">
        <section className="panel" aria-labelledby="catalogue-market-summary">
          <div className="panel-header">
            <h2 id="catalogue-market-summary">Market summary</h2>
          </div>
          <Form method="get" action="/reports/market-summary">
            <p className="muted">Hubs and zones of one operating day: DA and RT averages, on/off-peak, DA-RT spread, top movers, hourly chart, data health.</p>
            <label>
              Market
              <select name="market" defaultValue={markets[0]?.id}>
                {markets.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.id} · {m.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Operating day (empty: the latest with day-ahead prices)
              <input type="date" name="date" />
            </label>
            <Buttons kind="market-summary" />
          </Form>
        </section>

        <section className="panel" aria-labelledby="catalogue-curve">
          <div className="panel-header">
            <h2 id="catalogue-curve">Forward curve</h2>
          </div>
          {curves.length === 0 ? (
            <EmptyState title="No curve built yet">
              <p>
                Curves appear here once built (<Link to="/curves">Forward curves</Link>).
              </p>
            </EmptyState>
          ) : (
            <div className="report-curves">
              <p className="muted">A hub&apos;s curve to 2050 (quarters, then calendar years) and its change against an earlier as-of date.</p>
              {curves.map((c) => (
                <CurveForm key={`${c.market}:${c.node}`} curve={c} />
              ))}
            </div>
          )}
        </section>

        <section className="panel" aria-labelledby="catalogue-scenario">
          <div className="panel-header">
            <h2 id="catalogue-scenario">Scenario run</h2>
          </div>
          {runs.length === 0 ? (
            <EmptyState title="No finished scenario run">
              <p>
                Run a scenario in <Link to="/scenarios">Scenarios</Link>; finished runs appear here.
              </p>
            </EmptyState>
          ) : (
            <Form method="get" action="/reports/scenario">
              <p className="muted">Assumptions, prices per hub and year, bands, mix and lineage of a run.</p>
              <label>
                Run
                <select name="runId" defaultValue={runs[0]?.runId}>
                  {runs.map((r) => (
                    <option key={r.runId} value={r.runId}>
                      {r.label}
                    </option>
                  ))}
                </select>
              </label>
              <Buttons kind="scenario" />
            </Form>
          )}
        </section>

        <section className="panel" aria-labelledby="catalogue-fuels">
          <div className="panel-header">
            <h2 id="catalogue-fuels">Gas, LNG and environmental</h2>
          </div>
          {products.length === 0 ? (
            <EmptyState title="No gas, LNG or environmental product">
              <p>This report needs GAS, LNG, LCFS or REC; your organization holds none of them in the hub. An administrator can grant them.</p>
            </EmptyState>
          ) : (
            <Form method="get" action="/reports/fuels">
              <p className="muted">
                Henry Hub daily and monthly, gas hub basis, JKM and TTF basis, the Henry Hub forward curve, LCFS credits and REC quotes ({products.join(', ')}). Not
                offered as a daily subscription yet.
              </p>
              <label>
                As of (empty: the latest day with data)
                <input type="date" name="date" />
              </label>
              <Buttons kind="fuels" />
            </Form>
          )}
        </section>
      </div>
    </div>
  )
}

type Curve = ReturnType<typeof useLoaderData<typeof loader>>['curves'][number]

/** One curve: its as-of date and the date to compare with (both default to the latest and the one before). */
function CurveForm({ curve }: { curve: Curve }) {
  const id = `curve-${curve.market}-${curve.node}`.replace(/[^A-Za-z0-9-]/g, '-')
  return (
    <Form method="get" action="/reports/curve" aria-labelledby={id}>
      <h3 id={id}>
        {curve.market} · {curve.name}
      </h3>
      <input type="hidden" name="market" value={curve.market} />
      <input type="hidden" name="node" value={curve.node} />
      <label>
        As of
        <select name="asOf" defaultValue="">
          <option value="">latest ({curve.asOfDates[0]})</option>
          {curve.asOfDates.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <label>
        Compare with
        <select name="compareTo" defaultValue="">
          <option value="">the as-of date before</option>
          {curve.asOfDates.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <Buttons kind="curve" />
    </Form>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
