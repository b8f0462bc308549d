import { describe, expect, it } from 'vitest'
import { EnvError, parseEnv } from './env.ts'

describe('parseEnv', () => {
  it('runs everything embedded under ./.data when nothing is set', () => {
    const env = parseEnv({})
    expect(env.PORT).toBe(3000)
    expect(env.dataDir.endsWith('.data')).toBe(true)
    expect(env.embedded).toEqual({ postgres: true, clickhouse: true, bus: true, objects: true })
  })

  it('switches each part to its real engine by its variable', () => {
    const env = parseEnv({
      DATABASE_URL: 'postgres://u:p@db:5432/carbon',
      CLICKHOUSE_URL: 'http://ch:8123',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      S3_BUCKET: 'raw',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      PORT: '8080',
    })
    expect(env.embedded).toEqual({ postgres: false, clickhouse: false, bus: false, objects: false })
    expect(env.PORT).toBe(8080)
  })

  it('treats empty variables as unset', () => {
    expect(parseEnv({ DATABASE_URL: '' }).embedded.postgres).toBe(true)
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
    [{ CLICKHOUSE_DATABASE: 'x; DROP' }, 'CLICKHOUSE_DATABASE'],
    [{ S3_BUCKET: 'raw' }, 'S3_BUCKET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('refuses %o naming %s', (vars, variable) => {
    let error: unknown
    try {
      parseEnv(vars)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(EnvError)
    expect((error as EnvError).issues.map((i) => i.variable)).toContain(variable)
    expect((error as EnvError).message).toContain(variable)
  })
})
