import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { downloadCenterAction, loadDownloadCenter } from '#app/components/downloads/downloads.server.ts'
import { ExportForm } from '#app/components/downloads/export-form-view.tsx'
import { formatCount } from '#app/components/downloads/format.ts'
import { JobsTable, usePolledJobs } from '#app/components/downloads/jobs-table.tsx'
import { ReportsSection } from '#app/components/downloads/reports-section.tsx'
import { isSeriesIntent } from '#app/components/downloads/series-export-form.ts'
import { SeriesExportForm } from '#app/components/downloads/series-export-form-view.tsx'
import { loadSeriesChoices, seriesExportAction, type SeriesScopeChoice } from '#app/components/downloads/series-export.server.ts'
import type { DownloadCenter } from '#app/components/downloads/types.ts'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { MarketLinks, useHasHubMarkets } from '#app/components/market-links.tsx'

export const meta: MetaFunction = () => [{ title: 'Download center · 254Carbon' }]

/**
 * The download center: export jobs (prices, curves, scenario results, and the series beside power
 * as CSV or Parquet) with a size estimate before they start and their progress while they run,
 * and scheduled PDF reports. Every request passes the downloads channel's gate
 * (app/components/downloads/downloads.server.ts, series-export.server.ts); an organization
 * without downloads sees why. The series form offers only the products (and markets'
 * fundamentals) the organization may download.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const center = await loadDownloadCenter(request, context)
  const seriesScopes: SeriesScopeChoice[] = center.data.refused === null ? await loadSeriesChoices(request, context) : []
  return data<DownloadCenter & { seriesScopes: SeriesScopeChoice[] }>({ ...center.data, seriesScopes }, center.init ?? undefined)
}

/** The series form's intents go to its own action; every other one to the download center's. */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.clone().formData()
  const intent = String(form.get('intent') ?? '')
  if (isSeriesIntent(intent)) return seriesExportAction(request, context, form, intent)
  return downloadCenterAction(request, context)
}

export default function DownloadCenterPage() {
  const data = useLoaderData<typeof loader>()
  return (
    <div className="page download-center">
      <header className="page-header">
        <div>
          <h1>Download center</h1>
          <p className="page-lede">
            Export prices, forward curves, scenario results and the series beside power (gas, LNG, LCFS, RECs, market fundamentals) as CSV or
            Parquet. Each export shows its size before it starts and runs in the
            background; its download link is signed and valid for a few minutes each time you click Download.
          </p>
        </div>
      </header>
      {data.refused !== null ? <Refused message={data.refused} /> : <Center data={data} />}
    </div>
  )
}

function Refused({ message }: { message: string }) {
  const hasMarkets = useHasHubMarkets()
  return (
    <div className="flash flash-error" role="alert" data-testid="downloads-refused">
      <strong>Downloads are not available to you.</strong> {message}. Ask your organization’s administrator for a downloads entitlement
      {hasMarkets ? (
        <>
          , or browse the data in the hub: <MarketLinks />
        </>
      ) : null}
      .
    </div>
  )
}

function Center({ data }: { data: Extract<ReturnType<typeof useLoaderData<typeof loader>>, { refused: null }> }) {
  const { jobs, outputs } = usePolledJobs({ jobs: data.jobs, outputs: data.outputs, at: data.at })
  const { limits } = data
  return (
    <>
      <ExportForm markets={data.markets} scenarioRuns={data.scenarioRuns} defaults={data.defaults} />
      <SeriesExportForm scopes={data.seriesScopes} />
      <p className="muted download-limits">
        Limits per organization: {formatCount(limits.maxRows)} rows per export, {limits.maxActive} exports queued or running at once,{' '}
        {formatCount(limits.maxRowsPerDay)} rows a day. Files are kept {Math.round(limits.retentionHours / 24)} days; a link lasts {Math.round(limits.linkSeconds / 60)}{' '}
        minutes.
      </p>
      <section className="panel" aria-labelledby="jobs-title">
        <div className="panel-header">
          <h2 id="jobs-title">Exports</h2>
          <p className="panel-meta">Your organization’s exports, newest first.</p>
        </div>
        <JobsTable jobs={jobs} />
      </section>
      <ReportsSection
        markets={data.markets}
        products={data.reportProducts}
        subscriptions={data.subscriptions}
        outputs={outputs}
        retentionHours={limits.retentionHours}
      />
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
