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

  it('runs the development identity provider only in development without OIDC_ISSUER', () => {
    expect(parseEnv({}).devIdp).toBe(true)
    expect(parseEnv({ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_SECRET: 's' }).devIdp).toBe(false)
    const production = parseEnv({
      NODE_ENV: 'production',
      OIDC_ISSUER: 'https://idp.example',
      OIDC_CLIENT_SECRET: 's',
      SESSION_SECRET: 'x'.repeat(32),
    })
    expect(production.devIdp).toBe(false)
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
    [{ NODE_ENV: 'production', DEV_IDP: 'on', SESSION_SECRET: 'x'.repeat(32) }, 'DEV_IDP'],
    [{ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }, 'OIDC_ISSUER'],
    [{ NODE_ENV: 'production', OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_SECRET: 's' }, 'SESSION_SECRET'],
    [{ OIDC_ISSUER: 'https://idp.example' }, 'OIDC_CLIENT_SECRET'],
    [{ OIDC_CLIENT_SECRET: 'has space' }, 'OIDC_CLIENT_SECRET'],
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
