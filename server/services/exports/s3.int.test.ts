import { createHash, randomBytes } from 'node:crypto'
import type { PriceRecord } from '@carbon/schemas'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startSwift, type SwiftServer } from '../../../tests/setup/swift.ts'
import { openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { provisionDemoUser } from '../../../tests/support/demo-users.ts'
import { createS3Store, type S3ObjectStore } from '../../adapters/objects/index.ts'
import { startExportWorker, type ExportWorker } from '../../workers/export-worker.ts'
import { DEMO_USERS } from '../auth/demo-identities.ts'
import type { Principal } from '../auth/types.ts'
import { insertPrices } from '../prices/index.ts'
import { createExport, getExport, type ExportDeps, type ExportJob } from './index.ts'

/*
 * Exports written to S3 and downloaded through S3's own presigned GET URLs, against a real SigV4
 * implementation: Debian's OpenStack Swift with s3api (tests/setup/swift.ts; `bash
 * scripts/install-swift.sh` installs it; without it the tests fail with that instruction). The link
 * downloads the file under its name; one changed character, another key or an expired link is 403.
 */
const log = pino({ level: 'silent' })
let swift: SwiftServer
let store: S3ObjectStore
let stores: TestPlatform
let worker: ExportWorker
let admin: Principal
const ENV = {
  DOWNLOAD_LINK_SECONDS: 900,
  EXPORT_RETENTION_HOURS: 24,
  EXPORT_MAX_ROWS: 1_000_000,
  EXPORT_MAX_ACTIVE_PER_ORGANIZATION: 5,
  EXPORT_MAX_ROWS_PER_DAY: 10_000_000,
}
const deps = (env: Partial<ExportDeps['env']> = {}): ExportDeps => ({
  db: stores.platform.pg.db,
  ch: stores.platform.ch,
  bus: stores.platform.bus,
  objects: store,
  env: { ...ENV, ...env },
  log,
})
const DAY0 = Date.UTC(2026, 1, 2)

function prices(node: string): PriceRecord[] {
  return Array.from({ length: 48 }, (_, h) => ({
    market: 'MISO' as const,
    node,
    run: 'DA' as const,
    intervalStart: new Date(DAY0 + h * 3_600_000).toISOString(),
    intervalEnd: new Date(DAY0 + (h + 1) * 3_600_000).toISOString(),
    lmp: 20 + h / 4,
    energy: 19.5,
    congestion: -0.5,
    loss: 0.25,
    ghg: null,
    source: 'export-s3-test',
    publishedAt: null,
  }))
}

async function exportOf(node: string, format: 'csv' | 'parquet'): Promise<ExportJob> {
  const queued = await createExport(deps(), admin, 'api', {
    dataset: 'prices',
    market: 'MISO',
    nodes: node,
    run: 'DA',
    from: new Date(DAY0).toISOString(),
    to: new Date(DAY0 + 48 * 3_600_000).toISOString(),
    format,
  })
  const deadline = Date.now() + 30_000
  for (;;) {
    const job = await getExport(deps(), admin, 'api', queued.id)
    if (job.status !== 'queued' && job.status !== 'running') return job
    if (Date.now() > deadline) throw new Error(`export still ${job.status}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

function keyOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.split('/').slice(2).join('/'))
}

beforeAll(async () => {
  // Swift and the platform start together (each takes a few seconds).
  ;[swift, stores] = await Promise.all([startSwift(), openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-exports-s3-', log })])
  store = createS3Store({
    endpoint: swift.endpoint,
    region: swift.region,
    bucket: `carbon-exports-${randomBytes(4).toString('hex')}`,
    accessKeyId: swift.accessKeyId,
    secretAccessKey: swift.secretAccessKey,
  })
  await store.ensureBucket()
  admin = (await provisionDemoUser(stores.platform.pg.db, DEMO_USERS.find((u) => u.username === 'admin')!)).principal
  await insertPrices(stores.platform.ch, [...prices('INDIANA.HUB'), ...prices('ILLINOIS.HUB')])
  worker = await startExportWorker({ ...deps(), relay: false, cleanupIntervalMs: false })
}, 120_000)

afterAll(async () => {
  await worker?.stop()
  await store?.close()
  await stores?.close()
  await swift?.stop()
})

describe('exports on S3 (Swift s3api, real SigV4)', () => {
  let csv: ExportJob
  let other: ExportJob

  beforeAll(async () => {
    csv = await exportOf('INDIANA.HUB', 'csv')
    other = await exportOf('ILLINOIS.HUB', 'parquet')
  })

  it('the presigned URL downloads the same bytes under the file name, valid at most 15 minutes', async () => {
    expect(csv.status, csv.error ?? '').toBe('done')
    const url = new URL(csv.url!)
    expect(url.origin).toBe(swift.endpoint)
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(900)
    const response = await fetch(csv.url!)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${csv.filename}"`)
    const body = Buffer.from(await response.arrayBuffer())
    expect(body.equals(await store.getBuffer(keyOf(csv.url!)))).toBe(true)
    expect(createHash('sha256').update(body).digest('hex')).toBe(csv.sha256)
    expect(body.length).toBe(csv.bytes)
    expect(body.toString('utf8').split('\r\n')).toHaveLength(1 + 48 + 1)

    expect(other.status, other.error ?? '').toBe('done')
    const parquet = Buffer.from(await (await fetch(other.url!)).arrayBuffer())
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1')
    expect(createHash('sha256').update(parquet).digest('hex')).toBe(other.sha256)
  })

  it('answers 403 to the URL with one changed character and to its signature on another key', async () => {
    const url = new URL(csv.url!)
    const signature = url.searchParams.get('X-Amz-Signature')!
    const changed = new URL(url)
    changed.searchParams.set('X-Amz-Signature', (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1))
    const tampered = await fetch(changed)
    expect(tampered.status).toBe(403)
    expect(await tampered.text()).not.toContain('INDIANA.HUB')

    const otherKey = new URL(csv.url!)
    otherKey.pathname = new URL(other.url!).pathname
    const foreign = await fetch(otherKey)
    expect(foreign.status).toBe(403)
    await foreign.arrayBuffer()
  })

  it('answers 403 once the link has expired', async () => {
    const short = await getExport(deps({ DOWNLOAD_LINK_SECONDS: 2 }), admin, 'api', csv.id)
    expect(new URL(short.url!).searchParams.get('X-Amz-Expires')).toBe('2')
    const fresh = await fetch(short.url!)
    expect(fresh.status).toBe(200)
    await fresh.arrayBuffer()
    await new Promise((r) => setTimeout(r, 3_200))
    const expired = await fetch(short.url!)
    expect(expired.status).toBe(403)
    expect(await expired.text()).not.toContain('INDIANA.HUB')
  })
})
