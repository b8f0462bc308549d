import { lineChart, type ChartLayout } from './chart.ts'
import { formatChange, formatDay, formatNumber, formatPercent, formatPrice, formatUtc, MISSING } from './format.ts'
import { fuelsView } from './fuels-view.ts'
import type { CurveReport, MarketSummaryReport, ReportData, ScenarioReport } from './schemas.ts'

/**
 * A report as its printed form: title, facts, and sections of tables (cells already text),
 * charts (laid out) and text. The hub page (app/components/reports) and the PDF
 * (pdf/document.tsx) both render this one view, so they print the same strings. Pure.
 */

export type Align = 'left' | 'right'
export type TableSection = { kind: 'table'; title: string; note?: string; columns: { label: string; align: Align }[]; rows: string[][]; empty: string }
export type ChartSection = { kind: 'chart'; title: string; note?: string; chart: ChartLayout; empty: string }
export type TextSection = { kind: 'text'; title: string; text: string; mono: boolean }
export type ReportSection = TableSection | ChartSection | TextSection

export type ReportView = {
  title: string
  subtitle: string
  facts: { label: string; value: string }[]
  /** Shown above the sections when the report has no data to show (the sections may be absent). */
  message: string | null
  sections: ReportSection[]
  footer: string
}

const CHART = { width: 720, height: 260 }
const right = (label: string) => ({ label, align: 'right' as const })
const left = (label: string) => ({ label, align: 'left' as const })

export function reportView(data: ReportData): ReportView {
  switch (data.kind) {
    case 'market-summary':
      return marketSummaryView(data)
    case 'curve':
      return curveView(data)
    case 'scenario':
      return scenarioView(data)
    case 'fuels':
      return fuelsView(data)
  }
}

export function marketSummaryView(r: MarketSummaryReport): ReportView {
  const rt = r.rtRun ?? 'RT'
  const nodeTable = (type: 'hub' | 'zone', title: string): TableSection => ({
    kind: 'table',
    title,
    columns: [left('Node'), right('DA avg'), right(`${rt} avg`), right('DA on-peak'), right('DA off-peak'), right('DA-RT spread'), right('DA change')],
    rows: r.nodes
      .filter((n) => n.type === type)
      .map((n) => [n.node, formatPrice(n.da), formatPrice(n.rt), formatPrice(n.onPeak), formatPrice(n.offPeak), formatChange(n.spread), formatChange(n.change)]),
    empty: `No ${type} has day-ahead prices for ${r.date}.`,
  })
  const sections: ReportSection[] = r.emptyMessage
    ? []
    : [
        nodeTable('hub', 'Hubs ($/MWh)'),
        nodeTable('zone', 'Zones ($/MWh)'),
        {
          kind: 'table',
          title: `Top movers (DA average against ${r.previousDate})`,
          columns: [left('Node'), right(`DA ${r.previousDate}`), right(`DA ${r.date}`), right('Change')],
          rows: r.movers.map((m) => [m.node, formatPrice(m.previousDa), formatPrice(m.da), formatChange(m.change)]),
          empty: `No day-ahead prices of ${r.previousDate} to compare with.`,
        },
        {
          kind: 'chart',
          title: 'Hourly day-ahead prices of the hubs ($/MWh)',
          note: `hours of ${r.date} in the market clock (${r.timeZone})`,
          chart: lineChart({
            ...CHART,
            series: r.chart.map((h) => ({ name: h.node, points: h.points.map((p) => ({ x: p.hour + 0.5, y: p.lmp })) })),
            xDomain: [0, 24],
            xTicks: [0, 3, 6, 9, 12, 15, 18, 21, 24].map((h) => ({ value: h, label: `${String(h).padStart(2, '0')}:00` })),
            yLabel: '$/MWh',
          }),
          empty: 'No hourly day-ahead prices of the hubs that day.',
        },
      ]
  sections.push({
    kind: 'table',
    title: `Data health of ${r.date}`,
    note: 'completeness: node-intervals received of those expected (nodes seen in the 7 days before)',
    columns: [left('Dataset'), left('Run'), right('Completeness'), right('Intervals'), right('Expected'), right('Nodes')],
    rows: r.health.map((h) => [h.dataset, h.run, formatPercent(h.completeness), formatNumber(h.deliveredIntervals), formatNumber(h.expectedIntervals), formatNumber(h.expectedNodes)]),
    empty: `No dataset of ${r.market} delivered data for ${r.date}.`,
  })
  return {
    title: `${r.market} market summary`,
    subtitle: `${r.marketName}, ${formatDay(r.date)}`,
    facts: [
      { label: 'Operating day', value: `${r.date} (${r.timeZone})` },
      { label: 'Day-ahead run', value: 'DA' },
      { label: 'Real-time run', value: r.rtRun ?? MISSING },
      { label: 'Compared with', value: r.previousDate },
    ],
    message: r.emptyMessage,
    sections,
    footer: `254Carbon, ${r.market} market summary ${r.date}, generated ${formatUtc(r.generatedAt)}`,
  }
}

export function curveView(r: CurveReport): ReportView {
  const xTicks = r.rows.flatMap((row, i) => (i % Math.max(1, Math.ceil(r.rows.length / 10)) === 0 ? [{ value: i, label: row.period }] : []))
  const series = [
    { name: `On-peak ${r.asOf}`, points: r.rows.map((row, i) => ({ x: i, y: row.onpeak })) },
    { name: `Off-peak ${r.asOf}`, points: r.rows.map((row, i) => ({ x: i, y: row.offpeak })) },
    { name: `ATC ${r.asOf}`, points: r.rows.map((row, i) => ({ x: i, y: row.atc })) },
  ]
  if (r.compareTo) series.push({ name: `ATC ${r.compareTo}`, points: r.rows.map((row, i) => ({ x: i, y: row.compared?.atc ?? null })), dashed: true } as (typeof series)[number])
  const changeColumns = r.compareTo ? [right(`ATC ${r.compareTo}`), right('On-peak chg'), right('Off-peak chg'), right('ATC chg')] : []
  return {
    title: `${r.name} forward curve`,
    subtitle: `${r.market} ${r.node}, as of ${r.asOf}${r.compareTo ? ` against ${r.compareTo}` : ''}`,
    facts: [
      { label: 'As of', value: `${r.asOf} (version ${r.version}, ${r.owner === 'house' ? '254Carbon' : 'your organization'})` },
      { label: 'Compared with', value: r.compareTo ?? MISSING },
      { label: 'Quotes', value: String(r.quoteCount) },
      { label: 'Beyond the quotes', value: r.prior },
      { label: 'Unit', value: r.unit },
    ],
    message: r.compareMessage,
    sections: [
      {
        kind: 'chart',
        title: `Forward prices (${r.unit})`,
        note: 'quarters for ten years, calendar years beyond',
        chart: lineChart({ ...CHART, series, xDomain: [0, Math.max(1, r.rows.length - 1)], xTicks, yLabel: r.unit }),
        empty: 'The build has no points.',
      },
      {
        kind: 'table',
        title: `Curve (${r.unit})`,
        columns: [left('Period'), right('On-peak'), right('Off-peak'), right('ATC'), ...changeColumns],
        rows: r.rows.map((row) => [
          row.period,
          formatPrice(row.onpeak),
          formatPrice(row.offpeak),
          formatPrice(row.atc),
          ...(r.compareTo ? [formatPrice(row.compared?.atc ?? null), formatChange(row.change?.onpeak ?? null), formatChange(row.change?.offpeak ?? null), formatChange(row.change?.atc ?? null)] : []),
        ]),
        empty: 'The build has no points.',
      },
    ],
    footer: `254Carbon, ${r.market} ${r.node} curve as of ${r.asOf}, generated ${formatUtc(r.generatedAt)}`,
  }
}

export function scenarioView(r: ScenarioReport): ReportView {
  const hubs = [...new Set(r.prices.map((p) => `${p.market} ${p.hub}`))]
  const years = [...new Set(r.prices.map((p) => p.year))].sort((a, b) => a - b)
  const series = hubs.map((hub) => ({
    name: `${hub} on-peak`,
    points: years.map((year) => ({ x: year, y: r.prices.find((p) => `${p.market} ${p.hub}` === hub && p.year === year)?.onpeak ?? null })),
  }))
  const firstYear = years[0] ?? 2026
  const lastYear = years[years.length - 1] ?? 2050
  const step = Math.max(1, Math.ceil((lastYear - firstYear) / 8))
  const xTicks = years.filter((y) => (y - firstYear) % step === 0).map((y) => ({ value: y, label: String(y) }))
  const sections: ReportSection[] = [
    { kind: 'text', title: 'Assumptions (scenario text)', text: r.text, mono: true },
    {
      kind: 'chart',
      title: 'Yearly mean on-peak price per hub ($/MWh)',
      chart: lineChart({ ...CHART, series, xDomain: [firstYear, Math.max(firstYear + 1, lastYear)], xTicks, yLabel: '$/MWh' }),
      empty: 'The run has no prices.',
    },
    {
      kind: 'table',
      title: 'Prices per hub and year ($/MWh, mean of the monthly prices)',
      columns: [left('Market'), left('Hub'), left('Year'), right('On-peak'), right('Off-peak')],
      rows: r.prices.map((p) => [p.market, p.hub, String(p.year), formatPrice(p.onpeak), formatPrice(p.offpeak)]),
      empty: 'The run has no prices for these markets.',
    },
  ]
  if (r.bands) {
    sections.push({
      kind: 'table',
      title: `Monte Carlo bands ($/MWh, ${r.draws ?? '?'} draws, seed ${r.seed ?? '?'})`,
      columns: [left('Hub'), left('Year'), right('On P10'), right('On P50'), right('On P90'), right('Off P10'), right('Off P50'), right('Off P90')],
      rows: r.prices
        .filter((p) => p.year % 5 === 0 || p.year === firstYear)
        .map((p) => [p.hub, String(p.year), formatPrice(p.onpeakP10), formatPrice(p.onpeakP50), formatPrice(p.onpeakP90), formatPrice(p.offpeakP10), formatPrice(p.offpeakP50), formatPrice(p.offpeakP90)]),
      empty: 'The run has no bands.',
    })
  }
  sections.push(
    {
      kind: 'table',
      title: `Mix by technology (${r.mixYears.join(', ')})`,
      note: 'capacity in December, GW; generation over the year, TWh',
      columns: [left('Market'), left('Technology'), ...r.mixYears.flatMap((y) => [right(`${y} GW`), right(`${y} TWh`)])],
      rows: mixRows(r),
      empty: 'The run has no mix for these markets.',
    },
    { kind: 'text', title: 'Canonical form (what the run id hashes)', text: r.canonical, mono: true },
    {
      kind: 'table',
      title: 'Lineage',
      columns: [left('Item'), left('Value')],
      rows: [
        ['Run id', r.runId],
        ['Inputs hash', r.lineage.inputsHash],
        ['Engine', r.lineage.engineVersion],
        ['Base data', r.lineage.baseDataVersion],
        ['Fuel history', r.lineage.fuelHistoryId],
        ['Requested by', r.lineage.requestedBy],
        ['Requested at', formatUtc(r.lineage.requestedAt)],
        ['Finished at', r.lineage.finishedAt ? formatUtc(r.lineage.finishedAt) : MISSING],
        ...r.lineage.chain.map((link, i) => [i === 0 ? 'Scenario version' : `Parent ${i}`, `${link.name} v${link.version} (${link.canonicalHash.slice(0, 16)})`]),
      ],
      empty: '',
    },
  )
  return {
    title: `Scenario report: ${r.scenario.name}`,
    subtitle: `version ${r.scenario.version}, ${r.mode} run ${r.runId.slice(0, 16)}`,
    facts: [
      { label: 'Scenario', value: `${r.scenario.name} v${r.scenario.version} (${r.owner === 'house' ? '254Carbon' : 'your organization'})` },
      { label: 'Run', value: r.runId },
      { label: 'Mode', value: r.mode === 'montecarlo' ? `Monte Carlo, ${r.draws ?? '?'} draws` : 'deterministic' },
      { label: 'Markets', value: r.markets.join(', ') || MISSING },
      { label: 'Run date', value: r.runDate },
    ],
    message: null,
    sections,
    footer: `254Carbon, scenario run ${r.runId.slice(0, 16)}, generated ${formatUtc(r.generatedAt)}`,
  }
}

function mixRows(r: ScenarioReport): string[][] {
  const keys = [...new Set(r.mix.map((m) => `${m.market}|${m.technology}`))]
  return keys.map((key) => {
    const [market, technology] = key.split('|') as [string, string]
    const cells = r.mixYears.flatMap((year) => {
      const m = r.mix.find((x) => x.market === market && x.technology === technology && x.year === year)
      return [formatNumber(m?.capacityGw ?? null, 2), formatNumber(m?.generationTwh ?? null, 2)]
    })
    return [market, technology, ...cells]
  })
}
