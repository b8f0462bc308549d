import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { FuelCurveListPage } from '#app/components/fuel-curves.tsx'
import { loadFuelCurveList } from '#app/utils/fuel-curves.server.ts'

export const meta: MetaFunction = () => [{ title: 'LNG basis curves · 254Carbon' }]

/** `/lng/curves`: the LNG basis curves JKM - Henry Hub and TTF - Henry Hub, entitled under LNG. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadFuelCurveList(request, context, 'LNG')
}

export default function LngCurvesPage() {
  const data = useLoaderData<typeof loader>()
  return <FuelCurveListPage {...data} />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
