import { describe, expect, it } from 'vitest'
import { PUBLISHER_URLS, simulatorUrls } from './urls.ts'

describe('publisher URLs', () => {
  it('name the series publishers by their own hosts', () => {
    expect(PUBLISHER_URLS).toMatchObject({ eiaApi: 'https://api.eia.gov', eiaWww: 'https://www.eia.gov', carbWww: 'https://ww2.arb.ca.gov' })
  })

  it('simulatorUrls maps every publisher onto the simulator, the series ones under /eia-api, /eia and /carb', () => {
    const sim = simulatorUrls('http://127.0.0.1:8123//')
    expect(Object.keys(sim).sort()).toEqual(Object.keys(PUBLISHER_URLS).sort())
    for (const url of Object.values(sim)) expect(url.startsWith('http://127.0.0.1:8123/')).toBe(true)
    expect(sim).toMatchObject({ eiaApi: 'http://127.0.0.1:8123/eia-api', eiaWww: 'http://127.0.0.1:8123/eia', carbWww: 'http://127.0.0.1:8123/carb' })
  })
})
