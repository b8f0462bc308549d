import { Writable } from 'node:stream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { REDACT } from './logger.ts'

function lineOf(value: Record<string, unknown>): string {
  let out = ''
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString('utf8')
      done()
    },
  })
  pino({ redact: { paths: REDACT, censor: '[redacted]' } }, sink).info(value, 'x')
  return out
}

describe('log redaction', () => {
  it('censors the publishers keys and credentials of a logged connector config', () => {
    const config = {
      misoDataExchangeKey: 'dx-secret-1',
      pjmKey: 'pjm-secret-2',
      aesoKey: 'aeso-secret-3',
      eiaKey: 'eia-secret-5',
      isoneCredentials: { username: 'iso-user', password: 'iso-secret-4' },
      caisoNodes: 'ALL',
    }
    for (const line of [lineOf({ config }), lineOf(config)]) {
      for (const secret of ['dx-secret-1', 'pjm-secret-2', 'aeso-secret-3', 'iso-user', 'iso-secret-4', 'eia-secret-5']) expect(line).not.toContain(secret)
      expect(line).toContain('[redacted]')
      expect(line).toContain('"caisoNodes":"ALL"')
    }
  })
})
