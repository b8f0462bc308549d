import type { AppLoadContext } from '@remix-run/node'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { metrics } from '#server/metrics.ts'
import { setPlatform } from '#server/platform.ts'
import { sessionCookieName } from '#server/services/auth/config.ts'
import { DEMO_USERS } from '#server/services/auth/demo-identities.ts'
import { createSession } from '#server/services/auth/sessions.ts'
import { provisionDemoUser } from '../../tests/support/demo-users.ts'
import { openTestPlatform, type TestPlatform } from '../../tests/support/platform.ts'
import { accessData, auditedInput } from './data-access.server.ts'

/*
 * The hub's data gate counting carbon_data_requests_total{market,channel,outcome}, on a real
 * platform (scratch PostgreSQL database, embedded stores) with a real session of the analyst.
 */

let test: TestPlatform
let cookie = ''

beforeAll(async () => {
  test = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-data-access-' })
  setPlatform(test.platform)
  const { principal } = await provisionDemoUser(test.platform.pg.db, DEMO_USERS.find((u) => u.username === 'analyst')!)
  const { token } = await createSession(test.platform.pg.db, { userId: principal.userId!, ttlHours: 1 })
  cookie = `${sessionCookieName(test.platform.auth)}=${token}`
})

afterAll(async () => {
  await test?.close()
})

const context = (): AppLoadContext => ({ requestId: `data-access-${Math.random().toString(36).slice(2)}`, signal: new AbortController().signal, clientAddress: '127.0.0.1', cspNonce: '' })
const request = (path: string, signedIn = true) => new Request(`http://localhost${path}`, { headers: signedIn ? { cookie } : {} })

async function count(labels: Record<string, string>): Promise<number> {
  const { values } = await metrics.dataRequests.get()
  return values.find((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))?.value ?? 0
}

describe('accessData counts each hub data request once', () => {
  it('allowed once the audit row of the served data is written', async () => {
    const labels = { market: 'MISO', channel: 'hub', outcome: 'allowed' }
    const before = await count(labels)
    const access = await accessData(request('/markets/MISO'), context(), { procedure: 'hub:test', market: 'MISO' })
    expect(await count(labels)).toBe(before) // the gate passed; nothing served yet
    await access.served({ details: { test: true } })
    await access.served({ details: { again: true } })
    expect(await count(labels)).toBe(before + 1)
  })

  it('denied for a visitor sent to sign-in, a missing role, or input refused at the door', async () => {
    const miso = { market: 'MISO', channel: 'hub', outcome: 'denied' }
    const none = { market: 'none', channel: 'downloads', outcome: 'denied' }
    const before = { miso: await count(miso), none: await count(none) }

    const anonymous = await accessData(request('/markets/MISO', false), context(), { procedure: 'hub:test', market: 'MISO' }).catch((e: unknown) => e)
    expect(anonymous).toBeInstanceOf(Response)
    expect((anonymous as Response).status).toBe(302)
    const forbidden = await accessData(request('/admin'), context(), { procedure: 'hub:test', market: 'MISO', role: 'admin' }).catch((e: unknown) => e)
    expect((forbidden as Response).status).toBe(403)
    expect(await count(miso)).toBe(before.miso + 2)

    const refused = await auditedInput(request('/downloads/x'), context(), { procedure: 'hub:test', channel: 'downloads' }, () => {
      throw new Response('bad id', { status: 400 })
    }).catch((e: unknown) => e)
    expect((refused as Response).status).toBe(400)
    expect(await count(none)).toBe(before.none + 1)
  })
})
