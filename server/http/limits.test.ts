import { describe, expect, it } from 'vitest'
import { isApiPath, isUploadPath, trpcCallCount } from './limits.ts'

describe('trpcCallCount', () => {
  it.each([
    ['/api/trpc/markets.list', 1],
    ['/api/trpc/markets.list,nodes.search,prices.latest', 3],
    [`/api/trpc/${Array.from({ length: 11 }, () => 'markets.list').join(',')}`, 11],
    ['/api/v1/markets', 0],
    ['/markets/MISO', 0],
  ])('%s names %i calls', (path, calls) => {
    expect(trpcCallCount(path)).toBe(calls)
  })
})

describe('isUploadPath', () => {
  it.each([
    '/curves/MISO/INDIANA.HUB/build',
    '/api/trpc/curves.build',
    '/api/v1/curves/build',
    '/gas/curves/HENRY_HUB',
    '/lng/curves/JKM-HH',
    '/api/trpc/fuelCurves.build',
    '/api/v1/fuel-curves/build',
    '/recs',
    '/api/trpc/series.upload',
    '/api/v1/series/upload',
  ])('%s takes the upload limit', (path) => {
    expect(isUploadPath(path)).toBe(true)
  })
  it.each(['/curves/MISO/INDIANA.HUB', '/api/trpc/curves.build,curves.build', '/api/v1/nodes', '/auth/login', '/gas/HENRY_HUB', '/recs/REC.NJ.SOLAR.2027', '/api/v1/series'])(
    '%s takes the default limit',
    (path) => {
      expect(isUploadPath(path)).toBe(false)
    },
  )
})

describe('isApiPath', () => {
  it('answers JSON errors under /api and for the probes', () => {
    expect(['/api', '/api/v1/x', '/api/trpc/x', '/readyz', '/healthz'].every(isApiPath)).toBe(true)
    expect(['/apix', '/markets', '/'].some(isApiPath)).toBe(false)
  })
})
