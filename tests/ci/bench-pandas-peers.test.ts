import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { FIXTURE_DIR, MARKET_FIXTURE_FILES, SOURCES, unpackPayload, type MarketFixture, type SourceId } from '@carbon/connectors'
import { beforeAll, describe, expect, it } from 'vitest'

/**
 * The pandas peer of `npm run bench:ingest` (scripts/bench-ingest-pandas.py) must make as many
 * records as our parser from the same bytes, or the bench's comparison (and its sanity check)
 * means nothing. For every publisher file of the markets added after the pilot whose format has a
 * peer KIND, the peer runs in counting mode (`--count KIND PATH ...`, one `{"records": N}` line per
 * file, all files in one process) and its count must equal the records of SOURCES[source].parse
 * through unpackPayload. Needs Debian's python3-pandas for /usr/bin/python3 (CI has it); without
 * it the comparison is skipped, saying so.
 */

const root = path.resolve(import.meta.dirname, '../..')
const PYTHON = '/usr/bin/python3'
const PEER = path.join(root, 'scripts/bench-ingest-pandas.py')

/** The peer KIND that reads each source's format, as the script's docstring names them. */
const PEER_KIND: Partial<Record<SourceId, string>> = {
  'pjm.da_hrl_lmps': 'pjm_dm2_json',
  'pjm.rt_hrl_lmps': 'pjm_dm2_json',
  'pjm.rt_fivemin_hrl_lmps': 'pjm_dm2_json',
  'pjm.rt_unverified_fivemin_lmps': 'pjm_dm2_json',
  'ercot.dam_spp': 'ercot_spp_zip',
  'ercot.rt_spp': 'ercot_spp_zip',
  'spp.da_lmp_sl': 'spp_lmp_sl_csv',
  'spp.rtbm_lmp_sl': 'spp_lmp_sl_csv',
  'nyiso.damlbmp_zone': 'nyiso_zone_csv',
  'nyiso.realtime_zone': 'nyiso_zone_csv',
  'isone.ws.da_hourly_lmp': 'isone_ws_json',
  'isone.ws.rt_hourly_lmp': 'isone_ws_json',
  'isone.csv.da_lmp': 'isone_dalmp_csv',
  'ieso.da_ontario_zonal': 'ieso_zonal_xml',
  'ieso.rt_ontario_zonal': 'ieso_rt_zonal_xml',
  'aeso.pool_price': 'aeso_pool_json',
}

/** The clock-change days of the documented samples: US fall-back 2025 and 2026, spring-forward 2026. */
const CLOCK_CHANGE_DAY = /20251102|20261101|20260308/

const pandasInstalled = spawnSync(PYTHON, ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0
const SKIPPED = pandasInstalled ? '' : ` (SKIPPED: ${PYTHON} cannot import pandas; apt-get install python3-pandas)`

const compared = MARKET_FIXTURE_FILES.filter((fixture) => PEER_KIND[fixture.source] !== undefined)

const fixturePath = (name: string): string => fileURLToPath(new URL(name, FIXTURE_DIR))

/** Our records of a fixture: unpackPayload (a zip entry by entry), then the source's parser. */
function ourRecords({ name, source }: MarketFixture): number {
  const documents = unpackPayload(new Uint8Array(readFileSync(fixturePath(name))), name)
  return documents.reduce((sum, document) => sum + SOURCES[source].parse(document.text, document.file).records.length, 0)
}

/** The peer's records of every fixture, one python process for all of them. */
function peerRecords(fixtures: readonly MarketFixture[]): Map<string, number> {
  const args = fixtures.flatMap((fixture) => [PEER_KIND[fixture.source]!, fixturePath(fixture.name)])
  const child = spawnSync(PYTHON, [PEER, '--count', ...args], { encoding: 'utf8', timeout: 15_000 })
  if (child.status !== 0) throw new Error(`${PEER} --count failed (status ${child.status}, ${child.signal ?? 'no signal'}):\n${child.stderr}`)
  const lines = child.stdout.trim().split('\n')
  if (lines.length !== fixtures.length) throw new Error(`expected ${fixtures.length} lines from --count, got ${lines.length}:\n${child.stdout}`)
  return new Map(lines.map((line, i) => [fixtures[i]!.name, (JSON.parse(line) as { records: number }).records]))
}

describe(`bench:ingest pandas peer record counts${SKIPPED}`, () => {
  it('has a peer KIND for every served file and every clock-change-day sample', () => {
    const needed = MARKET_FIXTURE_FILES.filter((fixture) => fixture.bytes === 'served' || CLOCK_CHANGE_DAY.test(fixture.name))
    expect(needed.filter((fixture) => PEER_KIND[fixture.source] === undefined).map((fixture) => fixture.name)).toEqual([])
    expect(needed.filter((fixture) => fixture.bytes === 'documented').length).toBeGreaterThanOrEqual(7)
  })

  let peer = new Map<string, number>()
  beforeAll(() => {
    if (pandasInstalled) peer = peerRecords(compared)
  }, 20_000)

  it.skipIf(!pandasInstalled).each(compared.map((fixture) => [PEER_KIND[fixture.source]!, fixture.name, fixture] as const))(
    '%s counts the records of %s as our parser does',
    (_kind, name, fixture) => {
      const ours = ourRecords(fixture)
      expect(ours).toBeGreaterThan(0)
      expect(peer.get(name)).toBe(ours)
    },
  )
})
