import { memo, useMemo } from 'react'
import { ChartBox, chartDrawing } from '../chart-box.tsx'
import { EmptyState } from '../empty-state.tsx'
import { Segmented, type SegmentOption } from '../segmented.tsx'
import type { CapacityBar, CapacityChartDrawingProps } from './capacity-chart-drawing.tsx'
import { fuelStyle } from './products.ts'
import { periodLabel } from './series-view.ts'

/** What the market page's loader sends (capacity.server.ts CapacityView, serialized). */
export type CapacityData = {
  respondents: { code: string; name: string; via: string | null }[]
  respondent: { code: string; name: string; via: string | null } | null
  all: boolean
  unknown: string | null
  month: string | null
  previousMonth: string | null
  technologies: { technology: string; fuel: string; nameplateMw: number; summerMw: number; generators: number; share: number; change: number | null }[]
  fuels: { fuel: string; nameplateMw: number; summerMw: number; generators: number; share: number; added: number | null; removed: number | null }[]
  total: { nameplateMw: number; summerMw: number; generators: number; added: number | null; removed: number | null }
  source: string
}

/** The `capacity` query value of "every balancing authority of the market". */
export const ALL_CAPACITY = 'all'

/**
 * The capacity fuel groups (packages/connectors CAPACITY_FUELS) with their names and the EIA-930
 * energy source whose colour the fundamentals' generation chart gives them (products.ts
 * FUEL_STYLES), so a fuel looks the same in both sections.
 */
export const CAPACITY_FUEL_STYLES: Readonly<Record<string, { label: string; code: string }>> = {
  nuclear: { label: 'Nuclear', code: 'NUC' },
  coal: { label: 'Coal', code: 'COL' },
  gas: { label: 'Natural gas', code: 'NG' },
  oil: { label: 'Oil', code: 'OIL' },
  hydro: { label: 'Hydro', code: 'WAT' },
  wind: { label: 'Wind', code: 'WND' },
  solar: { label: 'Solar', code: 'SUN' },
  storage: { label: 'Storage', code: 'BAT' },
  other: { label: 'Other', code: 'OTH' },
}

/** A fuel group's name and colour (an unknown group: its own word, grey). */
export function capacityFuelStyle(fuel: string): { label: string; color: string } {
  const style = CAPACITY_FUEL_STYLES[fuel]
  return { label: style?.label ?? fuel, color: fuelStyle(style?.code ?? '').color }
}

const MINUS = '\u2212'
const megawatts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 })

/** MW as EIA writes them, to a tenth: `2,950`, `550.5`. */
export function formatMw(value: number): string {
  return megawatts.format(value)
}

/** A change in MW with its sign (`+120`, `−50`, `0`). */
export function formatSignedMw(value: number): string {
  const text = megawatts.format(Math.abs(value))
  if (!/[1-9]/.test(text)) return '0'
  return `${value < 0 ? MINUS : '+'}${text}`
}

/** `1 generator`, `5 generators`. */
const generators = (count: number) => `${count} generator${count === 1 ? '' : 's'}`

/** `2026-09` as `Sep 2026`. */
export function monthLabel(month: string): string {
  return periodLabel({ periodStart: `${month}-01T00:00:00.000Z`, periodEnd: `${month}-01T00:00:00.000Z` }, 'month')
}

const BAR_HEIGHT = 30
const CHART_PADDING = 36
const DEFAULT_WIDTH = 1200

const drawing = chartDrawing(() => import('./capacity-chart-drawing.tsx'))
const CapacityChartDrawing = drawing.Drawing

/**
 * Horizontal bars of operable nameplate MW by fuel, server-drawn in a ChartBox like SeriesChart:
 * the browser keeps the server's drawing until it must redraw, and only then loads recharts.
 */
function CapacityChart({ bars, title }: Pick<CapacityChartDrawingProps, 'bars' | 'title'>) {
  const height = bars.length * BAR_HEIGHT + CHART_PADDING
  return (
    <figure className="chart series-chart capacity-chart" aria-label={title} data-points={bars.length}>
      <figcaption className="chart-legend">
        {bars.map((b) => (
          <span className="legend-item" key={b.fuel}>
            <span className="legend-swatch legend-swatch-block" style={{ background: b.color }} aria-hidden="true" />
            {b.label}
          </span>
        ))}
        <span className="legend-note">MW nameplate, operable</span>
      </figcaption>
      <ChartBox defaultWidth={DEFAULT_WIDTH} height={height} content={bars} drawing={drawing}>
        {(width) => <CapacityChartDrawing bars={bars} title={title} width={width} height={height} />}
      </ChartBox>
    </figure>
  )
}

/** Whose capacity the section shows: one balancing authority by name and code, or all of the market's. */
function scopeLabel(data: CapacityData, marketLabel: string): string {
  if (data.all) return `all ${data.respondents.length} balancing authorities of ${marketLabel} (${data.respondents.map((r) => r.code).join(', ')})`
  return data.respondent ? `${data.respondent.name} (${data.respondent.code})` : ''
}

/** The bars of the chart, with the tooltip's lines, in CAPACITY_FUELS order. */
function capacityBars(data: CapacityData): CapacityBar[] {
  const since = data.previousMonth ? monthLabel(data.previousMonth) : null
  return data.fuels
    .filter((f) => f.nameplateMw > 0)
    .map((f) => {
      const { label, color } = capacityFuelStyle(f.fuel)
      const details = [`${formatMw(f.nameplateMw)} MW nameplate, ${formatMw(f.summerMw)} MW net summer`, `${generators(f.generators)}, ${percent.format(f.share)} of nameplate`]
      if (since && f.added !== null && f.removed !== null) details.push(`since ${since}: ${formatSignedMw(f.added)} MW added, ${formatSignedMw(-f.removed)} MW removed`)
      return { fuel: f.fuel, label, color, nameplateMw: f.nameplateMw, details }
    })
}

/** A change cell: signed, green above zero, red below, a dash without a previous month. */
function Change({ value }: { value: number | null }) {
  if (value === null) return <>—</>
  return <span className={value > 0 ? 'pos' : value < 0 ? 'neg' : undefined}>{formatSignedMw(value)}</span>
}

/** The measures both tables show, in this order: nameplate MW, net summer MW, generators, share of nameplate. */
function MeasureHeadings() {
  return (
    <>
      <th scope="col" className="num">
        Nameplate MW
      </th>
      <th scope="col" className="num">
        Net summer MW
      </th>
      <th scope="col" className="num">
        Generators
      </th>
      <th scope="col" className="num">
        Share
      </th>
    </>
  )
}

function MeasureCells({ row }: { row: { nameplateMw: number; summerMw: number; generators: number; share: number } }) {
  return (
    <>
      <td className="num">{formatMw(row.nameplateMw)}</td>
      <td className="num">{formatMw(row.summerMw)}</td>
      <td className="num">{row.generators}</td>
      <td className="num">{percent.format(row.share)}</td>
    </>
  )
}

function FuelTable({ data, since }: { data: CapacityData; since: string | null }) {
  return (
    <div className="table-scroll">
      <table className="data-table capacity-fuels-table">
        <caption>Operable capacity by fuel, {monthLabel(data.month!)}{since ? `; nameplate MW added and removed since ${since}` : ''}</caption>
        <thead>
          <tr>
            <th scope="col" className="time">
              Fuel
            </th>
            <MeasureHeadings />
            {since ? (
              <>
                <th scope="col" className="num">
                  Added MW
                </th>
                <th scope="col" className="num">
                  Removed MW
                </th>
              </>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {data.fuels.map((f) => (
            <tr key={f.fuel} data-fuel={f.fuel}>
              <th scope="row" className="time">
                {capacityFuelStyle(f.fuel).label}
              </th>
              <MeasureCells row={f} />
              {since ? (
                <>
                  <td className="num">
                    <Change value={f.added} />
                  </td>
                  <td className="num">
                    <Change value={f.removed === null ? null : -f.removed} />
                  </td>
                </>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function TechnologyTable({ data, since }: { data: CapacityData; since: string | null }) {
  return (
    <div className="table-scroll">
      <table className="data-table capacity-technologies-table">
        <caption>Operable capacity by technology (EIA&rsquo;s words), {monthLabel(data.month!)}</caption>
        <thead>
          <tr>
            <th scope="col" className="time">
              Technology
            </th>
            <th scope="col" className="time">
              Fuel
            </th>
            <MeasureHeadings />
            {since ? (
              <th scope="col" className="num">
                Change since {since}
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {data.technologies.map((t) => (
            <tr key={t.technology}>
              <th scope="row" className="time">
                {t.technology}
              </th>
              <td className="text">{capacityFuelStyle(t.fuel).label}</td>
              <MeasureCells row={t} />
              {since ? (
                <td className="num">
                  <Change value={t.change} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The section's empty states: nothing held for the market, or nothing for the balancing authority asked. */
function CapacityEmpty({ data, marketLabel }: { data: CapacityData; marketLabel: string }) {
  if (data.respondents.length === 0) {
    return (
      <EmptyState title={`No EIA-860M inventory stored for ${marketLabel} yet`}>
        Operable capacity per balancing authority and technology appears once EIA&rsquo;s monthly generator inventory is loaded: run{' '}
        <code>npx carbon backfill --dataset eia.860m.generators --from YYYY-MM-01 --to YYYY-MM-01</code> or wait for the monthly ingest.
      </EmptyState>
    )
  }
  const choices = data.respondents.map((r) => r.code).join(', ')
  return (
    <EmptyState title={`No EIA-860M inventory stored for ${data.unknown ?? data.respondent?.code ?? marketLabel}`}>
      {marketLabel} holds the inventory of {choices}: choose one of them, or all.
    </EmptyState>
  )
}

/**
 * A market's operable generating capacity on its page (EIA-860M): the latest inventory month held
 * for one balancing authority (the fundamentals' one by default) or all of the market's, as bars
 * by fuel, a table by fuel with the MW added and removed since the previous month held, and a
 * table by technology; the month and the source named, EIA's values said to be preliminary, a CSV
 * link for users entitled to downloads. Memoized: the market page re-renders on every live price.
 */
export const CapacitySection = memo(function CapacitySection({
  data,
  marketId,
  marketLabel,
  run,
  ba,
  canDownload,
}: {
  data: CapacityData
  marketId: string
  marketLabel: string
  /** The page's run and fundamentals' balancing authority, kept when another choice is made here. */
  run: string
  ba: string | null
  canDownload: boolean
}) {
  const bars = useMemo(() => capacityBars(data), [data])
  const keep = `?run=${run}${ba ? `&ba=${ba}` : ''}`
  const choice = data.all ? ALL_CAPACITY : (data.respondent?.code ?? data.unknown ?? '')
  const options: SegmentOption[] = [
    ...data.respondents.map((r) => ({ value: r.code, label: r.code, href: `${keep}&capacity=${r.code}`, title: r.name })),
    { value: ALL_CAPACITY, label: 'All', href: `${keep}&capacity=${ALL_CAPACITY}`, title: `Every balancing authority of ${marketLabel}, summed` },
  ]
  const since = data.previousMonth ? monthLabel(data.previousMonth) : null
  const csvHref = `/markets/${marketId}/capacity.csv?capacity=${encodeURIComponent(choice)}`
  const { total } = data
  return (
    <section className="panel capacity" aria-labelledby="capacity-title" data-month={data.month ?? undefined}>
      <header className="panel-header">
        <h2 id="capacity-title">
          Generating capacity <span className="panel-subtitle">EIA-860M, operable</span>
        </h2>
        {data.respondents.length > 1 ? <Segmented label="Capacity of" current={choice} options={options} /> : null}
      </header>
      {data.month === null ? (
        <CapacityEmpty data={data} marketLabel={marketLabel} />
      ) : (
        <div className="fundamentals-body capacity-body" data-respondent={data.all ? ALL_CAPACITY : data.respondent?.code}>
          <p className="fundamentals-respondent capacity-summary">
            Operable in <time dateTime={data.month}>{monthLabel(data.month)}</time>, {scopeLabel(data, marketLabel)}:{' '}
            <strong>{formatMw(total.nameplateMw)} MW</strong> nameplate, {formatMw(total.summerMw)} MW net summer, {generators(total.generators)}
            {since && total.added !== null && total.removed !== null ? (
              <>
                {' '}
                · since <time dateTime={data.previousMonth!}>{since}</time>: {formatSignedMw(total.added)} MW added, {formatSignedMw(-total.removed)} MW removed
              </>
            ) : (
              <> · no earlier month held to compare with</>
            )}
          </p>
          {data.respondent?.via === 'WEIM' ? (
            <p className="notice fundamentals-note" role="note">
              {data.respondent.name} is not inside {marketLabel}&rsquo;s balancing area: it takes part in the Western Energy Imbalance Market, which{' '}
              {marketLabel} operates, so its capacity is shown here.
            </p>
          ) : null}
          <CapacityChart bars={bars} title={`Operable nameplate capacity by fuel, ${monthLabel(data.month)}`} />
          <FuelTable data={data} since={since} />
          <TechnologyTable data={data} since={since} />
          <p className="table-note capacity-source">
            Source: EIA-860M, Preliminary Monthly Electric Generator Inventory (<span className="mono">{data.source}</span>), sheet
            &ldquo;Operating&rdquo;: generators of 1 MW or more operating, on standby or out of service, as of {monthLabel(data.month)}. EIA-860M values are
            preliminary: EIA revises them in the annual EIA-860.
            {canDownload ? (
              <>
                {' '}
                <a className="capacity-csv" href={csvHref} download>
                  Download CSV
                </a>
              </>
            ) : null}
          </p>
        </div>
      )}
    </section>
  )
})
