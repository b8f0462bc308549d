import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { findMigrationsFolder, loadMigrations, migrationChecksum, splitStatements } from './migrate.ts'

describe('splitStatements', () => {
  it('splits on a semicolon that ends a line, alone or after a statement', () => {
    const sql = 'CREATE TABLE a (x UInt8) ENGINE = Memory;\n\nCREATE TABLE b (x UInt8)\nENGINE = Memory\n;\nSELECT 1'
    expect(splitStatements(sql)).toEqual([
      'CREATE TABLE a (x UInt8) ENGINE = Memory',
      'CREATE TABLE b (x UInt8)\nENGINE = Memory',
      'SELECT 1',
    ])
  })

  it('keeps a semicolon inside a line and drops whole-line comments', () => {
    const sql = "-- header; with a semicolon;\nSELECT 'a;b' AS s; -- not a line end\nSELECT 2;  \r\n-- trailing;\n"
    expect(splitStatements(sql)).toEqual(["SELECT 'a;b' AS s; -- not a line end\nSELECT 2"])
  })

  it('returns nothing for a file of comments', () => {
    expect(splitStatements('-- nothing;\n\n  -- at all\n')).toEqual([])
  })
})

describe('migrationChecksum', () => {
  it('is a sha256 that ignores CRLF line endings but not content', () => {
    const lf = 'SELECT 1;\nSELECT 2;\n'
    expect(migrationChecksum(lf)).toMatch(/^[0-9a-f]{64}$/)
    expect(migrationChecksum(lf.replace(/\n/g, '\r\n'))).toBe(migrationChecksum(lf))
    expect(migrationChecksum(`${lf} `)).not.toBe(migrationChecksum(lf))
  })
})

describe('the committed migrations', () => {
  it('are found from this file and load in order, starting with 0001_prices.sql', async () => {
    const dir = findMigrationsFolder()
    expect(dir).toBe(path.resolve(import.meta.dirname, '../../../migrations/clickhouse'))
    expect(existsSync(dir)).toBe(true)
    const migrations = await loadMigrations(dir)
    expect(migrations[0]?.name).toBe('0001_prices.sql')
    const names = migrations.map((m) => m.name)
    expect(names).toEqual([...names].sort())
    for (const m of migrations) expect(m.statements.length).toBeGreaterThan(0)
  })

  it('name no database: statements run against the handle database', async () => {
    for (const m of await loadMigrations(findMigrationsFolder())) {
      for (const statement of m.statements) expect(statement).not.toMatch(/\bcarbon\./i)
    }
  })
})
