import { MarketId, SeriesId } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { GAS_HUBS, REFERENCE_HUB, gasHub } from './hubs.ts'

describe('GAS_HUBS', () => {
  it('ids are unique, valid SeriesIds', () => {
    const ids = GAS_HUBS.map((hub) => hub.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(SeriesId.safeParse(id).success, id).toBe(true)
  })

  it('Henry Hub is the one reference', () => {
    expect(GAS_HUBS.filter((hub) => hub.reference).map((hub) => hub.id)).toEqual([REFERENCE_HUB])
    expect(gasHub(REFERENCE_HUB)).toMatchObject({ id: 'HENRY_HUB', name: 'Henry Hub', eiaIceName: 'Henry', currency: 'USD', energyUnit: 'MMBtu' })
  })

  it('names, EIA ICE names and markets are well formed', () => {
    const names = GAS_HUBS.map((hub) => hub.name)
    expect(new Set(names).size).toBe(names.length)
    const iceNames = GAS_HUBS.flatMap((hub) => (hub.eiaIceName === null ? [] : [hub.eiaIceName]))
    // The eight hubs of EIA's ICE next-day gas workbooks, spelled as those files spell them.
    expect(iceNames.sort()).toEqual(['Algonquin Citygates', 'Chicago Citygates', 'Henry', 'Malin', 'PG&E - Citygate', 'Socal-Citygate', 'Socal-Ehrenberg', 'TETCO-M3'])
    for (const hub of GAS_HUBS) {
      if (hub.market !== null) expect(MarketId.safeParse(hub.market).success, hub.id).toBe(true)
      expect(hub.name.length).toBeLessThanOrEqual(128) // a record attribute value
    }
  })

  it('prices a hub in its market\'s currency: AECO in C$/GJ, the US hubs in $/MMBtu', () => {
    const canadian = GAS_HUBS.filter((hub) => hub.currency === 'CAD').map((hub) => [hub.id, hub.energyUnit, hub.market])
    expect(canadian).toEqual([['AECO', 'GJ', 'AESO']])
    for (const hub of GAS_HUBS.filter((h) => h.currency === 'USD')) expect(hub.energyUnit).toBe('MMBtu')
  })

  it('refuses an id that is not a hub', () => {
    expect(() => gasHub('HENRY')).toThrow('not a gas hub: HENRY (see GAS_HUBS)')
  })
})
