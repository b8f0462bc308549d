/**
 * MISO public API answers (one line of JSON, no final newline, every number a string with two
 * decimals, as recorded):
 *
 *   GetRealTimeFiveMinExPost/{Current|Rolling|Previous}
 *     {"headers":["INTERVAL","CPNODE","LMP","MLC","MCC"],"data":[["2026-10-02T16:50:00","AMIL.RICHLAND","31.55","-2.95","0.00"],...]}
 *     INTERVAL is the interval start, naive EST; rows by interval, then node name.
 *   GetExAnteLmp
 *     {"LMPData":{"RefId":"02-Oct-2026 - Interval 16:50 EST","ExAnteLMP":{"HourAndMin":"16:50","Hub":[{"name":..,"LMP":..,"loss":..,"congestion":..}]}}}
 */
import { MISO_EXANTE_HUBS, type SimNode, withNodes } from '../catalogue.ts'
import { newComponents, type PriceModel } from '../prices.ts'
import { misoNaive } from '../time.ts'
import { fixed2 } from './numbers.ts'
import type { GenerateOptions } from './options.ts'

const RT5_HEAD = '{"headers":["INTERVAL","CPNODE","LMP","MLC","MCC"],"data":['
/** Rows per yielded chunk: a full interval of ~2,600 nodes is ~150 kB. */
const CHUNK_ROWS = 4000

/**
 * The five-minute ex-post answer for the given interval starts (ms), in chunks of text: the
 * Current answer is one interval (~2,600 rows, ~150 kB), Rolling and Previous up to 288
 * (~750,000 rows, ~45 MB), which is why this yields instead of returning one string.
 */
export function* misoRt5Json(model: PriceModel, intervals: readonly number[], options: GenerateOptions = {}): Generator<string> {
  const nodes: readonly SimNode[] = options.extraNodes?.length ? withNodes(model.miso.nodes, options.extraNodes) : model.miso.nodes
  const c = newComponents()
  const row = (node: SimNode, naive: string, start: number) => {
    model.values('MISO', 'RT5', node, start, c)
    return `["${naive}","${node.name}","${fixed2(c.lmp)}","${fixed2(c.loss)}","${fixed2(c.congestion)}"]`
  }
  let buffer: string[] = []
  let first = true
  yield RT5_HEAD
  const flush = () => {
    const text = (first ? '' : ',') + buffer.join(',')
    first = false
    buffer = []
    return text
  }
  for (const start of intervals) {
    const naive = misoNaive(start)
    for (const node of nodes) {
      buffer.push(row(node, naive, start))
      if (buffer.length >= CHUNK_ROWS) yield flush()
    }
  }
  // The first interval's first rows once more, same values (a boundary re-sent).
  const firstInterval = intervals[0]
  if (options.duplicateEdges && firstInterval !== undefined)
    for (const node of nodes.slice(0, 10)) buffer.push(row(node, misoNaive(firstInterval), firstInterval))
  if (buffer.length > 0) yield flush()
  yield ']}'
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `02-Oct-2026 - Interval 16:50 EST` and `16:50` for an interval start. */
export function misoRefId(start: number): { refId: string; hourAndMin: string } {
  const naive = misoNaive(start)
  const hourAndMin = naive.slice(11, 16)
  const month = MONTHS[Number(naive.slice(5, 7)) - 1]
  return { refId: `${naive.slice(8, 10)}-${month}-${naive.slice(0, 4)} - Interval ${hourAndMin} EST`, hourAndMin }
}

/** The ex-ante answer for the interval starting at `start`: MISO's hubs (and SWPP), as recorded. */
export function misoExAnteJson(model: PriceModel, start: number, options: GenerateOptions = {}): string {
  const hubs: SimNode[] = MISO_EXANTE_HUBS.map((name) => model.miso.byName.get(name)!)
  hubs.push(...(options.extraNodes ?? []))
  if (options.duplicateEdges && hubs[0]) hubs.push(hubs[0])
  const c = newComponents()
  const items = hubs.map((hub) => {
    model.misoExAnte(hub, start, c)
    return `{"name":"${hub.name}","LMP":"${fixed2(c.lmp)}","loss":"${fixed2(c.loss)}","congestion":"${fixed2(c.congestion)}"}`
  })
  const { refId, hourAndMin } = misoRefId(start)
  return `{"LMPData":{"RefId":"${refId}","ExAnteLMP":{"HourAndMin":"${hourAndMin}","Hub":[${items.join(',')}]}}}`
}
