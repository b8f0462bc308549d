/**
 * IESO public report bytes (XML, namespace http://www.ieso.ca/schema, LF line endings, one
 * element per line, a trailing newline), times in IESO market time = EST all year (UTC-5).
 *
 * Day-ahead `PUB_DAHourlyOntarioZonalPrice_{YYYYMMDD}.xml`: exactly the real file of 2026-05-28
 * (connectors/fixtures/iso/ieso/ieso_PUB_DAHourlyOntarioZonalPrice_20260528.xml): the stylesheet
 * processing instruction, `Document docID="DAHourlyOntarioZonalPrice"`, DocHeader (title,
 * revision 1, PUB, CreatedAt), DocBody (DeliveryDate, 24 x HourlyPriceComponents{PricingHour,
 * ZonalPrice, LossPriceCapped, CongestionPriceCapped, Flag DSO-RD}); prices in their shortest
 * decimal form (`17.76`, `4`, `-0.1`).
 *
 * Real-time `PUB_RealtimeOntarioZonalPrice_{YYYYMMDD}{HH}.xml`: the documented r2 layout as the
 * connectors' fixture builds it (ieso_PUB_RealtimeOntarioZonalPrice_2026082518_r2_DOCUMENTED_LAYOUT.xml):
 * DeliveryDate, DeliveryHour, 12 x ZonalPrice{Interval, Flag, LmpCap, LossPriceCap, CongPriceCap}
 * (two decimals, `1.10`), AveragePrice{...} (the mean of the intervals given, rounded half up).
 * An interval not run yet keeps its slot with empty prices (`<LmpCap></LmpCap>`), as the hour's
 * file is while the hour is in progress. Documentation only, not real bytes: the DocTitle, the Flag
 * and the average over a partial hour are guesses.
 */
import { fixed2 } from './numbers.ts'
import { decimalCents } from './isone.ts'

export const IESO_SCHEMA_NS = 'http://www.ieso.ca/schema'
export const IESO_DA_TITLE = 'Day Ahead Hourly Ontario Zonal Energy Price Report'
export const IESO_RT_TITLE = 'Real-Time 5-Min Ontario Zonal Energy Price Report'
export const IESO_FLAG = 'DSO-RD'
const EST_OFFSET_MS = 5 * 3_600_000

/** One hour's or interval's Ontario Zonal Price and its two capped components, in cents. */
export type IesoPrices = { lmp: number; loss: number; congestion: number }

/** `2026-05-27T12:31:16`: an instant in EST, no zone (CreatedAt). */
export function iesoTime(ms: number): string {
  return new Date(ms - EST_OFFSET_MS).toISOString().slice(0, 19)
}

function header(docId: string, xsd: string, title: string, createdAt: number, stylesheet: string | null): string[] {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    ...(stylesheet ? [`<?xml-stylesheet type="text/xsl" href="${stylesheet}" ?>`] : []),
    `<Document docID="${docId}" xmlns="${IESO_SCHEMA_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${IESO_SCHEMA_NS} ${xsd}">`,
    '<DocHeader>',
    `<DocTitle>${title}</DocTitle>`,
    '<DocRevision>1</DocRevision>',
    '<DocConfidentiality>',
    '<DocConfClass>PUB</DocConfClass>',
    '</DocConfidentiality>',
    `<CreatedAt>${iesoTime(createdAt)}</CreatedAt>`,
    '</DocHeader>',
    '<DocBody>',
  ]
}

export type IesoDaReport = { deliveryDate: string; createdAt: number; hours: readonly IesoPrices[] }

/** The day-ahead report of a delivery date (`YYYY-MM-DD`): hour ending 1..24 in order. */
export function iesoDaXml({ deliveryDate, createdAt, hours }: IesoDaReport): string {
  if (hours.length !== 24) throw new RangeError(`an IESO delivery date has 24 hours, got ${hours.length}`)
  const lines = header(
    'DAHourlyOntarioZonalPrice',
    'https://reports-public.ieso.ca/docrefs/schema/DAHourlyOntarioZonalPrice_r1.xsd',
    IESO_DA_TITLE,
    createdAt,
    'https://reports-public.ieso.ca/docrefs/stylesheet/DAHourlyOntarioZonalPrice_HTML_t1-1.xsl'
  )
  lines.push(`<DeliveryDate>${deliveryDate}</DeliveryDate>`)
  hours.forEach((h, i) => {
    lines.push(
      '<HourlyPriceComponents>',
      `<PricingHour>${i + 1}</PricingHour>`,
      `<ZonalPrice>${decimalCents(h.lmp)}</ZonalPrice>`,
      `<LossPriceCapped>${decimalCents(h.loss)}</LossPriceCapped>`,
      `<CongestionPriceCapped>${decimalCents(h.congestion)}</CongestionPriceCapped>`,
      `<Flag>${IESO_FLAG}</Flag>`,
      '</HourlyPriceComponents>'
    )
  })
  lines.push('</DocBody>', '</Document>', '')
  return lines.join('\n')
}

/** The rounded mean of whole cents, half up. */
const mean = (values: readonly number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length) + 0

export type IesoRtReport = {
  deliveryDate: string
  /** Hour ending 1..24 (EST). */
  deliveryHour: number
  createdAt: number
  /** Interval 1..12; null for an interval not run yet (empty slot). */
  intervals: readonly (IesoPrices | null)[]
}

/** The real-time report of one delivery hour (schema r2). */
export function iesoRtXml({ deliveryDate, deliveryHour, createdAt, intervals }: IesoRtReport): string {
  if (intervals.length !== 12) throw new RangeError(`an IESO real-time hour has 12 intervals, got ${intervals.length}`)
  const lines = header(
    'RealtimeOntarioZonalPrice',
    'https://reports-public.ieso.ca/docrefs/schema/RealtimeOntarioZonalPrice_r2.xsd',
    IESO_RT_TITLE,
    createdAt,
    null
  )
  lines.push(`<DeliveryDate>${deliveryDate}</DeliveryDate>`, `<DeliveryHour>${deliveryHour}</DeliveryHour>`)
  const cell = (name: string, cents: number | undefined) => `<${name}>${cents === undefined ? '' : fixed2(cents)}</${name}>`
  intervals.forEach((p, i) => {
    lines.push(
      '<ZonalPrice>',
      `<Interval>${i + 1}</Interval>`,
      `<Flag>${IESO_FLAG}</Flag>`,
      cell('LmpCap', p?.lmp),
      cell('LossPriceCap', p?.loss),
      cell('CongPriceCap', p?.congestion),
      '</ZonalPrice>'
    )
  })
  const run = intervals.filter((p): p is IesoPrices => p !== null)
  const average = (pick: (p: IesoPrices) => number) => (run.length === 0 ? undefined : mean(run.map(pick)))
  lines.push(
    '<AveragePrice>',
    cell('LmpCap', average((p) => p.lmp)),
    cell('LossPriceCap', average((p) => p.loss)),
    cell('CongPriceCap', average((p) => p.congestion)),
    '</AveragePrice>',
    '</DocBody>',
    '</Document>',
    ''
  )
  return lines.join('\n')
}
