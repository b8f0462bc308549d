import { describe, expect, it } from 'vitest'
import { connectionReducer, INITIAL_CONNECTION, OFFLINE_AFTER_MS, type Connection, type ConnectionSignal } from './live-connection.ts'

const run = (signals: ConnectionSignal[], from: Connection = INITIAL_CONNECTION) => signals.reduce(connectionReducer, from)

describe('connectionReducer', () => {
  it('connecting, then live', () => {
    expect(run([{ type: 'subscribe', now: 0 }]).state).toBe('connecting')
    expect(run([{ type: 'subscribe', now: 0 }, { type: 'started', resumable: true }]).state).toBe('live')
  })

  it('a drop after being live reconnects; answered with a cursor it is resumed, then live', () => {
    const live = run([{ type: 'subscribe', now: 0 }, { type: 'started', resumable: false }])
    const dropped = run([{ type: 'dropped', now: 1_000, message: null }], live)
    expect(dropped.state).toBe('reconnecting')
    const resumed = run([{ type: 'started', resumable: true }], dropped)
    expect(resumed.state).toBe('resumed')
    expect(run([{ type: 'settled' }], resumed).state).toBe('live')
    // Without a cursor a reconnect cannot resume (nothing to replay from): plainly live.
    expect(run([{ type: 'started', resumable: false }], dropped).state).toBe('live')
  })

  it('"settled" only ends "resumed"', () => {
    const live = run([{ type: 'subscribe', now: 0 }, { type: 'started', resumable: false }])
    expect(run([{ type: 'settled' }], live)).toBe(live)
  })

  it('a failure before the first answer keeps connecting; a long outage reads offline', () => {
    const failing = run([{ type: 'subscribe', now: 0 }, { type: 'failed', now: 10, message: 'boom', fatal: false }])
    expect(failing.state).toBe('connecting')
    const live = run([{ type: 'subscribe', now: 0 }, { type: 'started', resumable: false }])
    const long = run(
      [
        { type: 'dropped', now: 1_000, message: null },
        { type: 'dropped', now: 1_000 + OFFLINE_AFTER_MS, message: null },
      ],
      live,
    )
    expect(long.state).toBe('offline')
    expect(long.detail).toMatch(/still retrying/)
    expect(run([{ type: 'started', resumable: true }], long).state).toBe('resumed')
  })

  it('a fatal refusal stays offline until a new subscription', () => {
    const refused = run([{ type: 'subscribe', now: 0 }, { type: 'failed', now: 1, message: 'Signed out', fatal: true }])
    expect(refused).toMatchObject({ state: 'offline', detail: 'Signed out', fatal: true })
    expect(run([{ type: 'subscribe', now: 2 }, { type: 'dropped', now: 3, message: null }], refused).state).toBe('offline')
    expect(run([{ type: 'reset' }, { type: 'subscribe', now: 4 }], refused).state).toBe('connecting')
  })

  it('an access end (issue 11 item 5) reads "access ended: <reason>" and stays, instead of reconnecting', () => {
    const live = run([{ type: 'subscribe', now: 0 }, { type: 'started', resumable: false }])
    const ended = run([{ type: 'ended', now: 1, reason: 'token_revoked' }], live)
    expect(ended).toMatchObject({ state: 'ended', detail: 'access ended: the API token was revoked', fatal: true })
    expect(run([{ type: 'ended', now: 1, reason: 'entitlement_removed' }], live).detail).toBe(
      'access ended: your organization is no longer entitled to this market',
    )
    // What the transport reports afterwards changes nothing: no reconnecting state, ever.
    const after = run(
      [
        { type: 'dropped', now: 2, message: null },
        { type: 'subscribe', now: 3 },
        { type: 'failed', now: 4, message: 'Signed out', fatal: false },
        { type: 'network', online: false, now: 5 },
        { type: 'network', online: true, now: 6 },
      ],
      ended,
    )
    expect(after.state).toBe('ended')
    expect(after.detail).toBe('access ended: the API token was revoked')
    // A new subscription (another page or filter) starts afresh.
    expect(run([{ type: 'reset' }, { type: 'subscribe', now: 7 }], ended).state).toBe('connecting')
  })

  it('the browser going offline and back', () => {
    const live = run([{ type: 'subscribe', now: 0 }, { type: 'started', resumable: false }])
    const off = run([{ type: 'network', online: false, now: 5 }, { type: 'dropped', now: 6, message: null }], live)
    expect(off).toMatchObject({ state: 'offline', networkDown: true })
    const back = run([{ type: 'network', online: true, now: 7 }], off)
    expect(back.state).toBe('reconnecting')
    expect(run([{ type: 'started', resumable: true }], back).state).toBe('resumed')
  })
})
