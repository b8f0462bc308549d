import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { FuelCurvePage } from '#app/components/fuel-curves.tsx'
import { loadFuelCurveView, submitFuelBuild } from '#app/utils/fuel-curves.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data, params }) => [
  { title: data ? `${data.curve.name} forward curve${data.view ? ` as of ${data.view.build.asOf} v${data.view.build.version}` : ''} · 254Carbon` : `${params.curve ?? 'Gas'} forward curve · 254Carbon` },
]

/**
 * `/gas/curves/<HUB>`: a gas hub's forward curve (the latest build, or `asOf` and `version`), with
 * `compare` (and `compareVersion`) the change against another build; audited as hub:gas-curve.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadFuelCurveView(request, context, 'GAS', params, { channel: 'hub', procedure: 'hub:gas-curve' })
}

/** The build form (analysts of GAS): a new version from pasted CSV quotes. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return submitFuelBuild(request, context, 'GAS', params)
}

export default function GasCurvePage() {
  return <FuelCurvePage data={useLoaderData<typeof loader>()} answer={useActionData<typeof action>()} />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
