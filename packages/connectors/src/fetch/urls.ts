import type { PublisherUrls } from './types.ts'

/** The publishers' own base URLs. */
export const PUBLISHER_URLS: Readonly<PublisherUrls> = {
  misoReports: 'https://docs.misoenergy.org/marketreports',
  misoApi: 'https://public-api.misoenergy.org/api',
  misoDataExchange: 'https://apim.misoenergy.org/pricing/v1',
  caisoOasis: 'https://oasis.caiso.com/oasisapi',
  pjmDataMiner: 'https://api.pjm.com/api/v1',
  ercotMis: 'https://www.ercot.com',
  sppPortal: 'https://portal.spp.org',
  nyisoMis: 'http://mis.nyiso.com/public',
  isoneWebServices: 'https://webservices.iso-ne.com/api/v1.1',
  iesoReports: 'https://reports-public.ieso.ca/public',
  aesoApi: 'https://apimgw.aeso.ca/public',
  eiaApi: 'https://api.eia.gov',
  eiaWww: 'https://www.eia.gov',
  carbWww: 'https://ww2.arb.ca.gov',
}

/** The same base URLs on the publisher simulator at `baseUrl` (`http://127.0.0.1:PORT`). */
export function simulatorUrls(baseUrl: string): PublisherUrls {
  const base = baseUrl.replace(/\/+$/, '')
  return {
    misoReports: `${base}/marketreports`,
    misoApi: `${base}/api`,
    misoDataExchange: `${base}/dx/pricing/v1`,
    caisoOasis: `${base}/oasisapi`,
    pjmDataMiner: `${base}/pjm/api/v1`,
    ercotMis: `${base}/ercot`,
    sppPortal: `${base}/spp`,
    nyisoMis: `${base}/nyiso/public`,
    isoneWebServices: `${base}/isone/api/v1.1`,
    iesoReports: `${base}/ieso/public`,
    aesoApi: `${base}/aeso/public`,
    eiaApi: `${base}/eia-api`,
    eiaWww: `${base}/eia`,
    carbWww: `${base}/carb`,
  }
}
