import type { StreamPrice } from '../../server/services/stream/types.ts'

/** A live price as the fan-out hands it on: MISO RT5 at one fixed interval, at bus position `partition:offset`. */
export function streamPrice(node: string, { lmp, offset, partition = 0 }: { lmp: number; offset: number; partition?: number }): StreamPrice {
  return {
    market: 'MISO',
    node,
    run: 'RT5',
    intervalStart: '2026-11-20T15:05:00.000Z',
    intervalEnd: '2026-11-20T15:10:00.000Z',
    lmp,
    energy: null,
    congestion: null,
    loss: null,
    ghg: null,
    source: 'test',
    publishedAt: null,
    ingestedAt: '2026-11-20T15:10:43.120Z',
    receivedAt: '2026-11-20T15:10:43.131Z',
    partition,
    offset,
  }
}
