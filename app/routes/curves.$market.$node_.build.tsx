import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { BUILD_WAIT_MS, curveHref, curveSearch } from '#app/utils/curve-view.ts'
import { loadBuildForm, submitBuild } from '#app/utils/curves.server.ts'
import { formatInteger } from '#app/utils/format.ts'

export const meta: MetaFunction<typeof loader> = ({ data, params }) => [
  { title: `Build ${data?.name ?? params.node ?? 'a'} forward curve · 254Carbon` },
]

/** Analysts of the market only (403 otherwise); prefilled with the latest build's quotes. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadBuildForm(request, context, params)
}

/** Builds a new version and goes to it; a refusal comes back to the form with its reason. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return submitBuild(request, context, params)
}

export default function BuildCurve() {
  const data = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const navigation = useNavigation()
  const building = navigation.state === 'submitting' && navigation.formMethod?.toLowerCase() === 'post'
  const kept = answer && !answer.ok ? answer.values : null
  const href = curveHref(data.market.id, data.node)

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/curves">Forward curves</Link> / {data.market.id} / <Link to={href}>{data.node}</Link> /{' '}
            <span aria-current="page">Build</span>
          </p>
          <h1>
            Build a new version <span className="h1-sub">{data.name}</span>
          </h1>
          <p className="page-lede">
            The curve is solved monthly to 2050-12 through every quote (within its bid/ask when both are given). Each build of an as-of date
            is a new version; the curve page shows the newest. Your builds are private to your organization: other organizations keep
            seeing the house curve.
          </p>
        </div>
      </header>

      {answer && !answer.ok ? (
        <div className={answer.pending ? 'flash flash-ok curve-build-message' : 'flash flash-error curve-build-message'} role="alert">
          {answer.pending ? (
            <>
              {answer.message}{' '}
              <Link to={curveHref(data.market.id, data.node, curveSearch({ asOf: answer.pending.asOf }))}>Open the curve</Link>
            </>
          ) : (
            <>
              <strong>The curve was not built.</strong> {answer.message}
            </>
          )}
        </div>
      ) : null}

      <Form method="post" encType="multipart/form-data" className="search-form curve-build-form" aria-labelledby="build-title">
        <h2 className="form-title" id="build-title">
          Quotes
        </h2>
        <div className="field">
          <label htmlFor="build-as-of">As-of date</label>
          <input id="build-as-of" name="asOf" type="date" required max={data.defaultAsOf} defaultValue={kept?.asOf || data.defaultAsOf} />
          <p className="field-hint">
            {data.asOfDates.length > 0 ? `Built: ${data.asOfDates.slice(0, 6).join(', ')}${data.asOfDates.length > 6 ? ', …' : ''}` : 'No build yet'}
          </p>
        </div>
        <div className="field">
          <label htmlFor="build-file">Or upload a CSV file</label>
          <input id="build-file" name="file" type="file" accept=".csv,text/csv,text/plain" />
          <p className="field-hint">A file, when chosen, is used instead of the text below.</p>
        </div>
        <div className="field curve-quotes-field">
          <label htmlFor="build-quotes">
            Quotes as CSV: <span className="mono">contract,block,price[,bid,ask]</span>
          </label>
          <textarea id="build-quotes" name="quotes" rows={20} spellCheck={false} autoComplete="off" defaultValue={kept ? kept.quotes : data.quotes} />
          <p className="field-hint">
            Contracts: <span className="mono">2027-01</span> (month), <span className="mono">2027-Q3</span>, <span className="mono">Cal-2028</span>,{' '}
            <span className="mono">2027-01/2027-03</span> (strip). Blocks: onpeak, offpeak, atc.{' '}
            {data.latest
              ? `Prefilled with the ${formatInteger(data.latest.quoteCount)} quotes of version ${data.latest.version} as of ${data.latest.asOf}.`
              : null}
          </p>
        </div>
        <div className="field">
          <label htmlFor="build-prior">Prior: scenario run (optional)</label>
          <input
            id="build-prior"
            name="priorRunId"
            type="text"
            spellCheck={false}
            autoComplete="off"
            pattern="[A-Za-z0-9_.:\-]{1,128}"
            placeholder="base scenario"
            defaultValue={kept && 'priorRunId' in kept ? String(kept.priorRunId ?? '') : ''}
          />
          <p className="field-hint">
            The curve follows this run&apos;s prices beyond the quotes and within strips (your organization&apos;s or a house run, done). Empty:
            the base scenario.
          </p>
        </div>
        <div className="field field-actions">
          <button type="submit" className="button button-primary" disabled={building}>
            {building ? 'Building…' : 'Build curve'}
          </button>
          <Link to={href} className="button">
            Cancel
          </Link>
          <p className="field-hint" role="status" aria-live="polite">
            {building ? `Solving the curve to 2050 (waits up to ${BUILD_WAIT_MS / 1000} s)…` : null}
          </p>
        </div>
      </Form>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
