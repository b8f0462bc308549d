import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { FuelCurveListPage } from '#app/components/fuel-curves.tsx'
import { loadFuelCurveList } from '#app/utils/fuel-curves.server.ts'

export const meta: MetaFunction = () => [{ title: 'Gas forward curves · 254Carbon' }]

/** `/gas/curves`: one forward curve per gas hub (Henry Hub first), entitled under GAS. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadFuelCurveList(request, context, 'GAS')
}

export default function GasCurvesPage() {
  const data = useLoaderData<typeof loader>()
  return <FuelCurveListPage {...data} />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
