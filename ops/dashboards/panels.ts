import type * as cog from '@grafana/grafana-foundation-sdk/cog'
import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphDrawStyle,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common'
import {
  AnnotationQueryBuilder,
  type Dashboard,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  type Panel,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard'
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus'
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries'

/**
 * The few shapes every Carbon dashboard is made of, on top of the Grafana Foundation SDK's
 * builders: one Prometheus datasource chosen by the `datasource` variable, timeseries and stat
 * panels with a unit and thresholds, and stable panel ids (the SDK leaves ids unset; Grafana
 * would assign them on load, and links to a panel need them fixed).
 */

/** The datasource variable every dashboard has; every panel and query points at it. */
export const DATASOURCE_VARIABLE = 'datasource'
const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` }

/** Tag shared by every Carbon dashboard: the dashboards' links menu lists them by it. */
export const DASHBOARD_TAG = 'carbon'

export const COLORS = { ok: 'green', aim: 'yellow', warn: 'orange', bad: 'red', neutral: 'blue' } as const

/** A threshold step: from `value` upwards the colour applies (null: the base step). */
export type Step = { value: number | null; color: string }

export type Query = { expr: string; legend?: string; instant?: boolean; table?: boolean }

type PanelOptions = {
  title: string
  description: string
  unit: string
  queries: Query[]
  steps?: Step[]
  min?: number
  max?: number
  span?: number
  height?: number
  decimals?: number
}

export type TimeseriesOptions = PanelOptions & {
  /** Draw the thresholds as dashed lines (targets and gates). */
  thresholdLines?: boolean
  stacked?: boolean
  bars?: boolean
  axisLabel?: string
  /** Fixed colours per legend name (e.g. ingest status failed -> red). */
  seriesColors?: Record<string, string>
}

export type StatOptions = PanelOptions & { mappings?: ValueMapping[]; graph?: boolean }

function queryBuilders(queries: Query[]): DataqueryBuilder[] {
  return queries.map((q, i) => {
    const b = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(DATASOURCE)
      .expr(q.expr)
    if (q.legend !== undefined) b.legendFormat(q.legend)
    if (q.instant) b.instant()
    if (q.table) b.format(PromQueryFormat.Table)
    return b
  })
}

function thresholds(steps: Step[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps)
}

/** Thresholds for "higher is worse": green below `warn`, orange from it, red from `bad`. */
export function upperBounds(warn: number, bad: number): Step[] {
  return [
    { value: null, color: COLORS.ok },
    { value: warn, color: COLORS.warn },
    { value: bad, color: COLORS.bad },
  ]
}

/** Thresholds for "lower is worse": red below `target`, green from it. */
export function lowerBound(target: number): Step[] {
  return [
    { value: null, color: COLORS.bad },
    { value: target, color: COLORS.ok },
  ]
}

export function timeseries(o: TimeseriesOptions): TimeseriesBuilder {
  const b = new TimeseriesBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .targets(queryBuilders(o.queries))
    .unit(o.unit)
    .span(o.span ?? 12)
    .height(o.height ?? 8)
    .lineWidth(1)
    .fillOpacity(o.stacked ? 40 : 10)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).calcs([]))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
  if (o.steps) b.thresholds(thresholds(o.steps))
  if (o.thresholdLines) b.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed))
  if (o.stacked) b.stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
  if (o.bars) b.drawStyle(GraphDrawStyle.Bars)
  if (o.axisLabel) b.axisLabel(o.axisLabel)
  if (o.min !== undefined) b.min(o.min)
  if (o.max !== undefined) b.max(o.max)
  if (o.decimals !== undefined) b.decimals(o.decimals)
  for (const [name, color] of Object.entries(o.seriesColors ?? {})) {
    b.overrideByName(name, [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }])
  }
  return b
}

export function stat(o: StatOptions): StatBuilder {
  const b = new StatBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .targets(queryBuilders(o.queries))
    .unit(o.unit)
    .span(o.span ?? 6)
    .height(o.height ?? 5)
    .colorMode(BigValueColorMode.Background)
    .graphMode(o.graph === false ? BigValueGraphMode.None : BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
  if (o.steps) b.thresholds(thresholds(o.steps))
  if (o.mappings) b.mappings(o.mappings)
  if (o.min !== undefined) b.min(o.min)
  if (o.max !== undefined) b.max(o.max)
  if (o.decimals !== undefined) b.decimals(o.decimals)
  return b
}

export function table(o: Omit<PanelOptions, 'steps' | 'min' | 'max'>): TableBuilder {
  return new TableBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .targets(queryBuilders(o.queries))
    .unit(o.unit)
    .span(o.span ?? 24)
    .height(o.height ?? 6)
}

/** Value mapping for a 1/0 gauge: 1 -> `up` (green), 0 -> `down` (red). */
export function upDownMapping(): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: { '1': { text: 'up', color: COLORS.ok, index: 0 }, '0': { text: 'down', color: COLORS.bad, index: 1 } },
    },
  ]
}

/** A dashboard's frame: uid, tags, time range, the datasource variable and the links to its siblings. */
export function dashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([DASHBOARD_TAG])
    .editable()
    .timezone('utc')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .withVariable(new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Prometheus').type('prometheus'))
    // Grafana's own annotations (and alert state changes): Grafana expects annotations.list to exist.
    .annotation(
      new AnnotationQueryBuilder()
        .name('Annotations & Alerts')
        .builtIn(1)
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)')
        .type('dashboard'),
    )
    .link(
      new DashboardLinkBuilder('Carbon dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
}

/** A titled row and the panels under it. */
export type Section = { title: string; panels: cog.Builder<Panel>[] }

/**
 * The dashboard with each section as an open row followed by its panels. An open row's panels
 * sit beside it at the top level of the JSON model (only a collapsed row nests them), which is
 * what Grafana expects; the SDK's RowBuilder.withPanel nests them.
 */
export function withSections(builder: DashboardBuilder, sections: Section[]): Dashboard {
  for (const section of sections) {
    builder.withRow(new RowBuilder(section.title))
    for (const panel of section.panels) builder.withPanel(panel)
  }
  return finish(builder)
}

/** The built dashboard with every panel (rows included) numbered 1.. in layout order. */
function finish(builder: cog.Builder<Dashboard>): Dashboard {
  const built = builder.build()
  let id = 0
  for (const panel of built.panels ?? []) panel.id = ++id
  return built
}
