import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { Sparkline } from '#app/components/sparkline.tsx'
import { curveBuildHref, curveHref } from '#app/utils/curve-view.ts'
import { loadCurveList } from '#app/utils/curves.server.ts'
import { formatInteger, formatPrice } from '#app/utils/format.ts'
import { formatInZone } from '#app/utils/time.ts'

export const meta: MetaFunction = () => [
  { title: 'Forward curves · 254Carbon' },
  { name: 'description', content: 'Monthly forward curves to 2050 for MISO and CAISO hubs, built from traded quotes.' },
]

/** The curves of the markets the user may see in the hub (audited as hub:curves). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadCurveList(request, context)
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

function NothingBuilt({ canBuild, targets }: { canBuild: boolean; targets: Data['buildTargets'] }) {
  return (
    <EmptyState title="No curve built yet">
      {canBuild && targets.length > 0 ? (
        <p>
          Build one from quotes:{' '}
          {targets.map((t, i) => (
            <span key={`${t.market}:${t.node}`}>
              {i > 0 ? ' · ' : null}
              <Link to={curveBuildHref(t.market, t.node)}>{t.name}</Link>
            </span>
          ))}
        </p>
      ) : (
        <p>An analyst builds curves from quotes; they appear here once built.</p>
      )}
    </EmptyState>
  )
}

export default function CurvesIndex() {
  const { curves, markets, canBuild, buildTargets } = useLoaderData<typeof loader>()
  const built = curves.filter((c) => c.latest)
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / <span aria-current="page">Forward curves</span>
          </p>
          <h1>Forward curves</h1>
          <p className="page-lede">
            Monthly on-peak, off-peak and ATC prices to 2050, built from traded quotes (months, quarters, calendar strips) ·{' '}
            {markets.map((m) => m.id).join(', ')}
          </p>
        </div>
      </header>

      {built.length === 0 ? <NothingBuilt canBuild={canBuild} targets={buildTargets} /> : null}

      {curves.length > 0 ? (
        <section className="panel" aria-labelledby="curves-title">
          <header className="panel-header">
            <h2 id="curves-title">Curves</h2>
            <p className="panel-meta">Sparkline: on-peak, standard view (quarters for ten years, then calendar years), $/MWh</p>
          </header>
          <div className="table-scroll">
            <table className="data-table curve-list">
              <thead>
                <tr>
                  <th scope="col" className="text">
                    Curve
                  </th>
                  <th scope="col" className="text">
                    Market
                  </th>
                  <th scope="col" className="text">
                    Latest as-of
                  </th>
                  <th scope="col" className="num">
                    Version
                  </th>
                  <th scope="col" className="num">
                    Quotes
                  </th>
                  <th scope="col" className="text">
                    On-peak to 2050
                  </th>
                  <th scope="col" className="num">
                    Cal-2050 on-peak
                  </th>
                  <th scope="col" className="text">
                    Built
                  </th>
                </tr>
              </thead>
              <tbody>
                {curves.map((c) => {
                  const tz = markets.find((m) => m.id === c.market)?.timeZone ?? 'UTC'
                  return (
                    <tr key={`${c.market}:${c.node}`} data-curve={`${c.market}:${c.node}`}>
                      <th scope="row" className="text">
                        <Link to={curveHref(c.market, c.node)} className="node-link">
                          {c.name}
                        </Link>
                        <div className="muted mono curve-node">{c.node}</div>
                      </th>
                      <td className="text">{c.market}</td>
                      {c.latest ? (
                        <>
                          <td className="time" data-as-of>
                            {c.latest.asOf}
                            {c.asOfDates.length > 1 ? <span className="muted"> · {c.asOfDates.length} dates</span> : null}
                          </td>
                          <td className="num" data-version>
                            v{c.latest.version}
                          </td>
                          <td className="num">{formatInteger(c.latest.quoteCount)}</td>
                          <td className="spark">
                            <Sparkline values={c.sparkline} width={160} label={`${c.name} on-peak, standard view`} />
                          </td>
                          <td className="num">{formatPrice(c.sparkline.at(-1))}</td>
                          <td className="time">
                            {c.latest.finishedAt ? formatInZone(c.latest.finishedAt, tz, 'short') : '—'}
                            <span className="muted"> · {c.latest.requestedBy}</span>
                          </td>
                        </>
                      ) : (
                        <td className="text muted" colSpan={6}>
                          No curve built yet
                          {canBuild ? (
                            <>
                              {' · '}
                              <Link to={curveBuildHref(c.market, c.node)}>Build one</Link>
                            </>
                          ) : null}
                        </td>
                      )}
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
