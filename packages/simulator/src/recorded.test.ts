import { fileURLToPath } from 'node:url'
import { FIXTURE_DIR } from '@carbon/connectors'
import { describe, expect, it } from 'vitest'
import { loadRecorded } from './recorded.ts'

describe('loadRecorded', () => {
  it('indexes the connectors fixtures by what they hold (folder as URL or path)', () => {
    for (const dir of [FIXTURE_DIR, fileURLToPath(FIXTURE_DIR)]) {
      const recorded = loadRecorded(dir)
      expect([...recorded.reports.keys()].sort()).toEqual(['da_expost_lmp|20260714', 'rt_lmp_final|20260926'])
      expect([...recorded.rt5Current.keys()].map((ms) => new Date(ms).toISOString())).toEqual(['2026-10-02T21:50:00.000Z'])
      expect([...recorded.exAnte.keys()].map((ms) => new Date(ms).toISOString())).toEqual(['2026-10-02T21:50:00.000Z'])
      expect(recorded.oasis.map(({ query, nodes, start, end }) => ({ query, nodes, start, end }))).toEqual([
        {
          query: 'PRC_LMP',
          nodes: ['TH_SP15_GEN-APND'],
          start: Date.parse('2026-07-14T07:00:00Z'),
          end: Date.parse('2026-07-14T12:00:00Z'),
        },
      ])
    }
  })
})
