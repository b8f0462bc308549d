import type { PublisherUrls } from './types.ts'

/** The publishers' own base URLs. */
export const PUBLISHER_URLS: Readonly<PublisherUrls> = {
  misoReports: 'https://docs.misoenergy.org/marketreports',
  misoApi: 'https://public-api.misoenergy.org/api',
  misoDataExchange: 'https://apim.misoenergy.org/pricing/v1',
  caisoOasis: 'https://oasis.caiso.com/oasisapi',
}

/** The same base URLs on the publisher simulator at `baseUrl` (`http://127.0.0.1:PORT`). */
export function simulatorUrls(baseUrl: string): PublisherUrls {
  const base = baseUrl.replace(/\/+$/, '')
  return {
    misoReports: `${base}/marketreports`,
    misoApi: `${base}/api`,
    misoDataExchange: `${base}/dx/pricing/v1`,
    caisoOasis: `${base}/oasisapi`,
  }
}
