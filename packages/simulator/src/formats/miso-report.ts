/**
 * MISO market-report CSV (`{YYYYMMDD}_da_expost_lmp.csv`, `_rt_lmp_final.csv`, `_rt_lmp_prelim.csv`),
 * byte for byte in the recorded files' conventions: LF line ends with a final LF; four preamble
 * lines (title, the date — `07/14/2026` padded in DA files, `9/26/2026` unpadded in RT files —
 * a blank line, the EST note); the header; then every node's LMP row (nodes sorted by name), then
 * every MCC row, then every MLC row; 24 hour columns (MISO's fixed EST has no daylight saving).
 * DA values are written `.92`, RT values `0.92`.
 */
import type { MisoReport } from '@carbon/connectors'
import { type SimNode, withNodes } from '../catalogue.ts'
import { newComponents, type PriceModel } from '../prices.ts'
import { HOUR, misoDayStart, type Ymd } from '../time.ts'
import { fixed2, misoDaNumber } from './numbers.ts'
import type { GenerateOptions } from './options.ts'

const TYPE_TEXT = { hub: 'Hub', zone: 'Loadzone', generator: 'Gennode', interface: 'Interface' } as const
const HEADER = `Node,Type,Value,${Array.from({ length: 24 }, (_, h) => `HE ${h + 1}`).join(',')}`

/** The market report's file name, `20260714_da_expost_lmp.csv`. */
export const misoReportFileName = (date: Ymd, report: MisoReport) =>
  `${date.y}${String(date.m).padStart(2, '0')}${String(date.d).padStart(2, '0')}_${report}.csv`

/** The whole market report of one market day for every catalogue node (about 1.2 MB at full size). */
export function misoReportCsv(model: PriceModel, report: MisoReport, date: Ymd, options: GenerateOptions = {}): string {
  const nodes: readonly SimNode[] = options.extraNodes?.length ? withNodes(model.miso.nodes, options.extraNodes) : model.miso.nodes
  const dayStart = misoDayStart(date)
  const da = report === 'da_expost_lmp'
  const format = da ? misoDaNumber : fixed2
  const c = newComponents()
  const blocks: string[][] = [[], [], []]
  for (const node of nodes) {
    const lmp: string[] = []
    const mcc: string[] = []
    const mlc: string[] = []
    for (let h = 0; h < 24; h++) {
      const start = dayStart + h * HOUR
      if (da) model.values('MISO', 'DA', node, start, c)
      else model.misoHourly(node, start, report === 'rt_lmp_final', c)
      lmp.push(format(c.lmp))
      mcc.push(format(c.congestion))
      mlc.push(format(c.loss))
    }
    const head = `${node.name},${TYPE_TEXT[node.type]}`
    blocks[0]!.push(`${head},LMP,${lmp.join(',')}`)
    blocks[1]!.push(`${head},MCC,${mcc.join(',')}`)
    blocks[2]!.push(`${head},MLC,${mlc.join(',')}`)
  }
  const rows = blocks.flat()
  // A repeat of the first and the last row, same values (a re-sent block).
  if (options.duplicateEdges && rows.length > 0) rows.push(rows[0]!, rows.at(-1)!)
  const dateLine = da
    ? `${String(date.m).padStart(2, '0')}/${String(date.d).padStart(2, '0')}/${date.y}`
    : `${date.m}/${date.d}/${date.y}`
  const title = da ? 'Day Ahead Market ExPost LMPs' : 'Realtime Market LMPs'
  return `${[title, dateLine, '', ',,,All Hours-Ending are Eastern Standard Time (EST)', HEADER, ...rows].join('\n')}\n`
}
