import type { MarketId, NodeType } from '@carbon/schemas'
import { inArray } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { pricingNodes } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { AppError } from '../../errors.ts'
import { getNode, listNodes, searchNodes, upsertNodes } from './index.ts'
import { NodeSearchOutput, type NodeSearchInput, type NodeUpsert, type PricingNode } from './schemas.ts'

const TYPES: NodeType[] = ['hub', 'zone', 'generator', 'interface']

/** 150 regular nodes over both markets, plus names with LIKE wildcards and mixed case. */
function fixtureNodes(): NodeUpsert[] {
  const nodes: NodeUpsert[] = []
  for (let i = 0; i < 150; i++) {
    const market: MarketId = i % 3 === 0 ? 'CAISO' : 'MISO'
    nodes.push({ market, name: `N${String(i).padStart(3, '0')}.${['ALPHA', 'BETA', 'GAMMA'][i % 3]}`, type: TYPES[i % 4]! })
  }
  for (const name of ['A%B', 'A_B', 'AXB', 'AXXB', 'A\\B', 'ab.lower', 'Ab.Mixed']) {
    nodes.push({ market: 'MISO', name, type: 'generator' })
  }
  return nodes
}

async function allPages(pg: PostgresHandle, input: NodeSearchInput): Promise<{ pages: number; items: PricingNode[] }> {
  const items: PricingNode[] = []
  let cursor = input.cursor
  let pages = 0
  do {
    const page = await searchNodes(pg.db, { ...input, cursor })
    NodeSearchOutput.parse(page)
    items.push(...page.items)
    cursor = page.nextCursor ?? undefined
    pages++
    if (pages > 100) throw new Error('pagination does not end')
  } while (cursor)
  return { pages, items }
}

async function appError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected an AppError, the call succeeded')
}

const key = (n: PricingNode) => `${n.market}/${n.name}`

describe.each(['pglite', 'postgres'] as const)('nodes service on %s', (kind) => {
  let pg: PostgresHandle
  const fixtures = fixtureNodes()

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
    await seedMarkets(pg.db)
    expect(await upsertNodes(pg.db, fixtures)).toBe(fixtures.length)
  })
  afterAll(async () => {
    await pg?.close()
  })

  describe('searchNodes', () => {
    it('pages through every node exactly once, in (market, name) order', async () => {
      const everything = await searchNodes(pg.db, { limit: 200 })
      expect(everything.items).toHaveLength(fixtures.length)
      expect(everything.nextCursor).toBeNull()

      const paged = await allPages(pg, { limit: 7 })
      expect(paged.pages).toBe(Math.ceil(fixtures.length / 7))
      expect(paged.items.map(key)).toEqual(everything.items.map(key))
      expect(new Set(paged.items.map(key)).size).toBe(fixtures.length)
      expect(new Set(paged.items.map(key))).toEqual(new Set(fixtures.map((n) => `${n.market}/${n.name}`)))
      // Markets in order: every CAISO node before every MISO node.
      const markets = paged.items.map((n) => n.market)
      expect(markets.lastIndexOf('CAISO')).toBeLessThan(markets.indexOf('MISO'))
    })

    it('pages through a filtered search the same way', async () => {
      const input = { market: 'MISO', type: 'hub', q: 'n' } as const
      const expected = fixtures.filter((n) => n.market === 'MISO' && n.type === 'hub' && n.name.toLowerCase().startsWith('n'))
      expect(expected.length).toBeGreaterThan(10)
      const paged = await allPages(pg, { ...input, limit: 4 })
      expect(paged.items.map(key).sort()).toEqual(expected.map((n) => `${n.market}/${n.name}`).sort())
      expect(paged.items.every((n) => n.market === 'MISO' && n.type === 'hub')).toBe(true)
      expect(paged.pages).toBe(Math.ceil(expected.length / 4))
    })

    it('returns an exactly full last page with a null cursor', async () => {
      const count = fixtures.filter((n) => n.market === 'CAISO').length
      const page = await searchNodes(pg.db, { market: 'CAISO', limit: count })
      expect(page.items).toHaveLength(count)
      expect(page.nextCursor).toBeNull()
    })

    it('keeps its place when nodes are added between pages', async () => {
      const first = await searchNodes(pg.db, { market: 'CAISO', limit: 5 })
      const last = first.items.at(-1)!
      await upsertNodes(pg.db, [
        { market: 'CAISO', name: 'N000.AAA.EARLY', type: 'zone' }, // sorts before the cursor
        { market: 'CAISO', name: 'ZZZ.LATE', type: 'zone' }, // sorts after it
      ])
      try {
        const rest = await allPages(pg, { market: 'CAISO', limit: 5, cursor: first.nextCursor! })
        const names = rest.items.map((n) => n.name)
        expect(names).toContain('ZZZ.LATE')
        expect(names).not.toContain('N000.AAA.EARLY')
        expect(names).not.toContain(last.name)
        expect(names).not.toContain(first.items[0]!.name)
      } finally {
        await pg.db.delete(pricingNodes).where(inArray(pricingNodes.name, ['N000.AAA.EARLY', 'ZZZ.LATE']))
      }
    })

    it('matches a case-insensitive prefix', async () => {
      const page = await searchNodes(pg.db, { market: 'MISO', q: 'AB.' })
      expect(page.items.map((n) => n.name).sort()).toEqual(['Ab.Mixed', 'ab.lower'])
      const trimmed = await searchNodes(pg.db, { market: 'MISO', q: '  ab.l  ' })
      expect(trimmed.items.map((n) => n.name)).toEqual(['ab.lower'])
    })

    it('treats % and _ in the prefix literally', async () => {
      const names = async (q: string) => (await searchNodes(pg.db, { q })).items.map((n) => n.name).sort()
      expect(await names('A%')).toEqual(['A%B'])
      expect(await names('a_')).toEqual(['A_B'])
      expect(await names('A\\')).toEqual(['A\\B'])
      expect(await names('%')).toEqual([])
      expect(await names('_')).toEqual([])
      expect(await names('A')).toEqual(['A%B', 'AXB', 'AXXB', 'A\\B', 'A_B', 'Ab.Mixed', 'ab.lower'].sort())
    })

    it("passes the user's text as a parameter", async () => {
      const page = await searchNodes(pg.db, { q: "x' or '1'='1" })
      expect(page.items).toEqual([])
    })

    it('rejects a malformed cursor with BAD_REQUEST naming the cursor', async () => {
      const bad = [
        'not a cursor',
        '!!!!',
        'e30', // base64url of {}
        Buffer.from('["ENTSOE","X"]').toString('base64url'),
        Buffer.from('["MISO"]').toString('base64url'),
        Buffer.from('not json').toString('base64url'),
      ]
      for (const cursor of bad) {
        const error = await appError(searchNodes(pg.db, { cursor }))
        expect(error.code).toBe('BAD_REQUEST')
        expect(error.status).toBe(400)
        expect(error.message).toMatch(/cursor/i)
      }
    })

    it('rejects invalid input with BAD_REQUEST', async () => {
      const error = await appError(searchNodes(pg.db, { limit: 0 }))
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message).toMatch(/limit/)
    })
  })

  describe('getNode', () => {
    it('returns a node with ISO dates', async () => {
      await upsertNodes(pg.db, [
        { market: 'MISO', name: 'DATED.NODE', type: 'zone', activeFrom: '2021-03-04T05:06:07.000Z', activeTo: null },
      ])
      expect(await getNode(pg.db, 'MISO', 'DATED.NODE')).toEqual({
        market: 'MISO',
        name: 'DATED.NODE',
        type: 'zone',
        activeFrom: '2021-03-04T05:06:07.000Z',
        activeTo: null,
      })
    })

    it('is exact: market and name must both match', async () => {
      const inOtherMarket = await appError(getNode(pg.db, 'CAISO', 'DATED.NODE'))
      expect(inOtherMarket.code).toBe('NOT_FOUND')
      const caseDiffers = await appError(getNode(pg.db, 'MISO', 'dated.node'))
      expect(caseDiffers.code).toBe('NOT_FOUND')
    })

    it('fails with NOT_FOUND naming the market and the node', async () => {
      const error = await appError(getNode(pg.db, 'MISO', 'NO.SUCH.NODE'))
      expect(error.code).toBe('NOT_FOUND')
      expect(error.status).toBe(404)
      expect(error.message).toContain('MISO')
      expect(error.message).toContain('NO.SUCH.NODE')
      expect(error.details).toEqual({ market: 'MISO', node: 'NO.SUCH.NODE' })
    })
  })

  describe('listNodes and upsertNodes', () => {
    const year = 365 * 24 * 3600 * 1000
    const past = new Date(Date.now() - year).toISOString()
    const future = new Date(Date.now() + year).toISOString()

    beforeAll(async () => {
      await upsertNodes(pg.db, [
        { market: 'CAISO', name: 'RETIRED.GEN', type: 'generator', activeTo: past },
        { market: 'CAISO', name: 'FUTURE.GEN', type: 'generator', activeFrom: future },
        { market: 'CAISO', name: 'CURRENT.GEN', type: 'generator', activeFrom: past, activeTo: future },
      ])
    })

    it('lists the active nodes of a market, by type then name', async () => {
      const nodes = await listNodes(pg.db, { market: 'CAISO' })
      const names = nodes.map((n) => n.name)
      expect(names).toContain('CURRENT.GEN')
      expect(names).not.toContain('RETIRED.GEN')
      expect(names).not.toContain('FUTURE.GEN')
      expect(nodes.every((n) => n.market === 'CAISO')).toBe(true)
      const typeRank = nodes.map((n) => TYPES.indexOf(n.type))
      expect(typeRank).toEqual([...typeRank].sort((a, b) => a - b))
      for (const type of TYPES) {
        const ofType = nodes.filter((n) => n.type === type).map((n) => n.name)
        expect(ofType).toEqual(
          (await searchNodes(pg.db, { market: 'CAISO', type, limit: 200 })).items
            .map((n) => n.name)
            .filter((n) => ofType.includes(n)),
        )
      }
    })

    it('filters by types', async () => {
      const nodes = await listNodes(pg.db, { market: 'MISO', types: ['hub', 'zone'] })
      expect(nodes.length).toBeGreaterThan(0)
      expect(new Set(nodes.map((n) => n.type))).toEqual(new Set(['hub', 'zone']))
      expect(await listNodes(pg.db, { market: 'MISO', types: [] })).toHaveLength(
        (await listNodes(pg.db, { market: 'MISO' })).length,
      )
    })

    it('updates the type, keeps dates that are not given and clears dates given as null', async () => {
      await upsertNodes(pg.db, [{ market: 'CAISO', name: 'CURRENT.GEN', type: 'interface' }])
      expect(await getNode(pg.db, 'CAISO', 'CURRENT.GEN')).toMatchObject({ type: 'interface', activeFrom: past, activeTo: future })
      await upsertNodes(pg.db, [{ market: 'CAISO', name: 'CURRENT.GEN', type: 'generator', activeTo: null }])
      expect(await getNode(pg.db, 'CAISO', 'CURRENT.GEN')).toMatchObject({ type: 'generator', activeFrom: past, activeTo: null })
    })

    it('shows an upsert in the next lookup and list at once (the catalogue is kept in memory between writes)', async () => {
      await expect(getNode(pg.db, 'MISO', 'NEW.HUB')).rejects.toThrow(/NEW\.HUB/)
      const before = await listNodes(pg.db, { market: 'MISO', types: ['hub'] })
      expect(await listNodes(pg.db, { market: 'MISO', types: ['hub'] })).toBe(before)
      await upsertNodes(pg.db, [{ market: 'MISO', name: 'NEW.HUB', type: 'hub' }])
      expect(await getNode(pg.db, 'MISO', 'NEW.HUB')).toMatchObject({ name: 'NEW.HUB', type: 'hub' })
      const after = await listNodes(pg.db, { market: 'MISO', types: ['hub'] })
      expect(after.map((n) => n.name)).toEqual([...before.map((n) => n.name), 'NEW.HUB'].sort())
    })

    it('lets the last duplicate win', async () => {
      const written = await upsertNodes(pg.db, [
        { market: 'MISO', name: 'DUP.NODE', type: 'hub' },
        { market: 'MISO', name: 'DUP.NODE', type: 'zone' },
      ])
      expect(written).toBe(1)
      expect((await getNode(pg.db, 'MISO', 'DUP.NODE')).type).toBe('zone')
    })

    it('writes large batches in chunks', async () => {
      const many: NodeUpsert[] = Array.from({ length: 2345 }, (_, i) => ({
        market: 'MISO',
        name: `BULK.${String(i).padStart(5, '0')}`,
        type: 'generator',
        ...(i % 2 ? { activeFrom: past } : {}),
      }))
      expect(await upsertNodes(pg.db, many)).toBe(many.length)
      expect(await upsertNodes(pg.db, many)).toBe(many.length)
      const bulk = await allPages(pg, { market: 'MISO', q: 'bulk.', limit: 200 })
      expect(bulk.items).toHaveLength(many.length)
      expect(bulk.items.filter((n) => n.activeFrom === past)).toHaveLength(Math.floor(many.length / 2))
    })

    it('rejects invalid nodes before writing any', async () => {
      const error = await appError(
        upsertNodes(pg.db, [
          { market: 'MISO', name: 'OK.NODE', type: 'hub' },
          { market: 'MISO', name: 'BAD.NODE', type: 'substation' as NodeType },
        ]),
      )
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message).toMatch(/^Invalid nodes: 1\.type/)
      expect(await appError(getNode(pg.db, 'MISO', 'OK.NODE'))).toMatchObject({ code: 'NOT_FOUND' })
    })

    it('returns 0 for no nodes', async () => {
      expect(await upsertNodes(pg.db, [])).toBe(0)
    })
  })
})
