import { readdirSync, readFileSync } from 'node:fs'
import avro, { type Schema, type Type } from 'avsc'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  buildPriceRecordJsonSchema,
  canRead,
  checkAvroCompatibility,
  PRICE_RECORD_AVRO,
  PRICE_RECORD_COMPATIBILITY,
  PRICE_RECORD_FIELD_DOCS,
  PRICE_RECORD_RELAXED_STEPS,
  priceRecordAvroNamespace,
  priceRecordAvroType,
  priceRecordJsonSchema,
  stepCompatibility,
  toAvro,
  type JsonSchema,
} from './formats.ts'
import { PRICE_RECORD_SAMPLES } from './price-record-samples.ts'
import { PRICE_RECORD_VERSION, PriceRecord } from './price-record.ts'
import {
  avroSnapshotName,
  currentSchemaSnapshots,
  jsonSchemaSnapshotName,
  snapshotMismatch,
  snapshotVersion,
  stableJson,
} from './schema-snapshots.ts'

const snapshotDir = new URL('../schemas/', import.meta.url)
const migrationsDir = new URL('../../../migrations/clickhouse/', import.meta.url)

const committedFiles = readdirSync(snapshotDir)
const readSnapshot = (fileName: string): string | undefined =>
  committedFiles.includes(fileName) ? readFileSync(new URL(fileName, snapshotDir), 'utf8') : undefined

describe('committed schema snapshots (a)', () => {
  it.each(currentSchemaSnapshots())('$fileName is what the code generates now', ({ fileName, text }) => {
    const mismatch = snapshotMismatch(fileName, readSnapshot(fileName), text)
    expect(mismatch?.message).toBeUndefined()
  })

  it('has both snapshots for every version 1..PRICE_RECORD_VERSION and none beyond', () => {
    const versions = committedFiles.map(snapshotVersion).filter((v) => v !== undefined)
    const expected = Array.from({ length: PRICE_RECORD_VERSION }, (_, i) => i + 1)
    const of = (kind: string) => versions.filter((v) => v.kind === kind).map((v) => v.version).sort((a, b) => a - b)
    expect(of('avro'), 'Avro snapshots').toEqual(expected)
    expect(of('json-schema'), 'JSON Schema snapshots').toEqual(expected)
  })

  it('says to bump PRICE_RECORD_VERSION when the record changes without a bump', () => {
    const [json] = currentSchemaSnapshots()
    const changed = PriceRecord.extend({ currency: z.string().length(3) })
    const docs = { ...PRICE_RECORD_FIELD_DOCS, currency: 'ISO 4217 currency of the prices.' }
    const generated = stableJson(buildPriceRecordJsonSchema(changed, PRICE_RECORD_VERSION, docs))
    const mismatch = snapshotMismatch(json!.fileName, json!.text, generated)
    expect(mismatch?.kind).toBe('contract')
    expect(mismatch?.message).toMatch(/bump PRICE_RECORD_VERSION in packages\/schemas\/src\/price-record\.ts/)
    expect(mismatch?.message).toMatch(/npm run schemas:write -w @carbon\/schemas/)

    // A tightened constraint is a contract change too.
    const tightened = stableJson(
      buildPriceRecordJsonSchema(PriceRecord.extend({ node: z.string().min(1).max(64) }), PRICE_RECORD_VERSION),
    )
    expect(snapshotMismatch(json!.fileName, json!.text, tightened)?.kind).toBe('contract')
  })

  it('tells a reworded description apart from a contract change', () => {
    const [json, avsc] = currentSchemaSnapshots()
    const reworded = stableJson(
      buildPriceRecordJsonSchema(PriceRecord, PRICE_RECORD_VERSION, { ...PRICE_RECORD_FIELD_DOCS, lmp: 'LMP, $/MWh.' }),
    )
    expect(snapshotMismatch(json!.fileName, json!.text, reworded)?.kind).toBe('documentation')
    const avroReworded = stableJson({ ...PRICE_RECORD_AVRO, doc: 'Reworded.' })
    expect(snapshotMismatch(avsc!.fileName, avsc!.text, avroReworded)?.kind).toBe('documentation')
    expect(snapshotMismatch(avsc!.fileName, undefined, avsc!.text)?.kind).toBe('missing')
  })

  it('renders deterministically: sorted keys, Avro field order kept, trailing newline', () => {
    const text = stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })
    expect(text).toBe('{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n')
    const [, avsc] = currentSchemaSnapshots()
    expect(JSON.parse(avsc!.text).fields.map((f: { name: string }) => f.name)).toEqual(PRICE_RECORD_AVRO.fields.map((f) => f.name))
    expect(currentSchemaSnapshots()).toEqual(currentSchemaSnapshots())
  })
})

// ---------------------------------------------------------------------------------------------

type LooseField = { name: string; type: unknown; default?: unknown; doc?: string; aliases?: string[] }
type LooseSchema = { namespace: string; fields: LooseField[] }

/** The current schema as the next version, changed by `change`. */
function nextVersion(change: (schema: LooseSchema) => void = () => {}): Schema {
  const schema = structuredClone(PRICE_RECORD_AVRO) as unknown as LooseSchema
  schema.namespace = priceRecordAvroNamespace(PRICE_RECORD_VERSION + 1)
  change(schema)
  return schema as unknown as Schema
}
const field = (schema: LooseSchema, name: string) => schema.fields.find((f) => f.name === name)!
const enumOf = (schema: LooseSchema, name: string) => field(schema, name).type as { symbols: string[] }

const committedAvro: Array<{ version: number; type: Type }> = committedFiles
  .map((fileName) => ({ fileName, parsed: snapshotVersion(fileName) }))
  .filter((f) => f.parsed?.kind === 'avro')
  .map((f) => ({ version: f.parsed!.version, type: avro.Type.forSchema(JSON.parse(readSnapshot(f.fileName)!)) }))
  .sort((a, b) => a.version - b.version)

describe('Avro compatibility of the committed versions (b)', () => {
  it('finds the committed Avro snapshots', () => {
    expect(committedAvro.map((s) => s.version)).toContain(PRICE_RECORD_VERSION)
  })

  it('relaxes a step only where the policy would refuse it', () => {
    for (const [version, mode] of Object.entries(PRICE_RECORD_RELAXED_STEPS)) {
      const previous = committedAvro.find((s) => s.version === Number(version) - 1)!
      const next = committedAvro.find((s) => s.version === Number(version))!
      expect(checkAvroCompatibility(previous.type, next.type, mode).problems, `v${version} (${mode})`).toEqual([])
      expect(checkAvroCompatibility(previous.type, next.type, PRICE_RECORD_COMPATIBILITY).compatible, `v${version} needs no relaxing`).toBe(false)
    }
  })

  it(`consecutive versions are ${PRICE_RECORD_COMPATIBILITY} compatible, or as relaxed for that step`, () => {
    for (let i = 1; i < committedAvro.length; i++) {
      const previous = committedAvro[i - 1]!
      const next = committedAvro[i]!
      const result = checkAvroCompatibility(previous.type, next.type, stepCompatibility(next.version))
      expect(result.problems, `v${previous.version} -> v${next.version}`).toEqual([])
    }
  })

  it.each(committedAvro)('the current schema reads data written with v$version (archives are never rewritten)', ({ version, type }) => {
    expect(canRead(priceRecordAvroType, type)).toEqual({ ok: true })
    const resolver = priceRecordAvroType.createResolver(type, { ignoreNamespaces: true })
    const current = priceRecordAvroType as unknown as { fields: Array<{ name: string }> }
    const writerFields = new Set((type as unknown as { fields: Array<{ name: string }> }).fields.map((f) => f.name))
    for (let i = 0; i < 25; i++) {
      const written = type.random() as unknown as Record<string, unknown>
      const read = priceRecordAvroType.fromBuffer(type.toBuffer(written), resolver) as Record<string, unknown>
      for (const { name } of current.fields) if (writerFields.has(name)) expect(read[name], `v${version}.${name}`).toEqual(written[name])
    }
  })

  const forwardRequired = committedAvro.filter(
    (s) => s.version === PRICE_RECORD_VERSION || (stepCompatibility(PRICE_RECORD_VERSION) !== 'BACKWARD' && s.version === PRICE_RECORD_VERSION - 1),
  )
  it.each(forwardRequired)('v$version reads data written with the current schema', ({ version, type }) => {
    expect(canRead(type, priceRecordAvroType)).toEqual({ ok: true })
    const resolver = type.createResolver(priceRecordAvroType, { ignoreNamespaces: true })
    const readerFields = (type as unknown as { fields: Array<{ name: string }> }).fields.map((f) => f.name)
    for (const { record } of PRICE_RECORD_SAMPLES) {
      const value = toAvro(record)
      const read = type.fromBuffer(priceRecordAvroType.toBuffer(value), resolver) as Record<string, unknown>
      for (const name of readerFields) {
        if (name in value) expect(read[name], `v${version}.${name}`).toStrictEqual(value[name as keyof typeof value])
      }
    }
  })
})

describe('the compatibility checker (b, the mechanism)', () => {
  it('passes the current schema against itself and against a namespace-only bump', () => {
    expect(checkAvroCompatibility(PRICE_RECORD_AVRO, PRICE_RECORD_AVRO, 'FULL')).toEqual({ compatible: true, problems: [] })
    expect(checkAvroCompatibility(PRICE_RECORD_AVRO, nextVersion(), 'FULL').compatible).toBe(true)
    // Only because names resolve unqualified: strict full names would not match across versions.
    expect(() => priceRecordAvroType.createResolver(avro.Type.forSchema(nextVersion()))).toThrow(/no alias/)
  })

  it('passes a new nullable field with a null default, and data flows both ways', () => {
    const next = nextVersion((s) => s.fields.push({ name: 'currency', type: ['null', 'string'], default: null }))
    expect(checkAvroCompatibility(PRICE_RECORD_AVRO, next, 'FULL')).toEqual({ compatible: true, problems: [] })

    const nextType = avro.Type.forSchema(next)
    const value = toAvro(PRICE_RECORD_SAMPLES[1]!.record)
    const oldDataReadByNew = nextType.fromBuffer(priceRecordAvroType.toBuffer(value), nextType.createResolver(priceRecordAvroType, { ignoreNamespaces: true }))
    expect({ ...oldDataReadByNew }).toEqual({ ...value, currency: null })
    const newBytes = nextType.toBuffer({ ...value, currency: 'USD' })
    const newDataReadByOld = priceRecordAvroType.fromBuffer(newBytes, priceRecordAvroType.createResolver(nextType, { ignoreNamespaces: true }))
    expect({ ...newDataReadByOld }).toEqual(value)
  })

  it('reports a required field added without a default (BACKWARD)', () => {
    const next = nextVersion((s) => s.fields.push({ name: 'currency', type: 'string' }))
    const result = checkAvroCompatibility(PRICE_RECORD_AVRO, next, 'FULL')
    expect(result.compatible).toBe(false)
    expect(result.problems).toEqual([expect.stringMatching(/^BACKWARD: .*default-less .*currency/)])
    expect(checkAvroCompatibility(PRICE_RECORD_AVRO, next, 'FORWARD').compatible).toBe(true)
  })

  it('reports an enum symbol removed (BACKWARD) and one added (FORWARD)', () => {
    const removed = nextVersion((s) => {
      enumOf(s, 'run').symbols = enumOf(s, 'run').symbols.filter((r) => r !== 'RTH')
    })
    expect(checkAvroCompatibility(PRICE_RECORD_AVRO, removed, 'FULL').problems).toEqual([expect.stringMatching(/^BACKWARD: /)])
    expect(checkAvroCompatibility(PRICE_RECORD_AVRO, removed, 'FORWARD').compatible).toBe(true)

    const added = nextVersion((s) => enumOf(s, 'market').symbols.push('ENTSOE'))
    expect(checkAvroCompatibility(PRICE_RECORD_AVRO, added, 'FULL').problems).toEqual([expect.stringMatching(/^FORWARD: /)])
    expect(checkAvroCompatibility(PRICE_RECORD_AVRO, added, 'BACKWARD').compatible).toBe(true)
  })

  it('reports a nullable component made required, and a changed field type', () => {
    const required = nextVersion((s) => {
      const energy = field(s, 'energy')
      energy.type = 'double'
      delete energy.default
    })
    expect(checkAvroCompatibility(PRICE_RECORD_AVRO, required, 'FULL').problems).toEqual([expect.stringMatching(/^BACKWARD: /)])

    const retyped = nextVersion((s) => {
      field(s, 'lmp').type = 'string'
    })
    const result = checkAvroCompatibility(PRICE_RECORD_AVRO, retyped, 'FULL')
    expect(result.problems).toHaveLength(2)
    expect(canRead(PRICE_RECORD_AVRO, retyped)).toMatchObject({ ok: false, reason: expect.any(String) })
  })

  it('accepts reordered fields (Avro resolves by name)', () => {
    const reordered = nextVersion((s) => s.fields.reverse())
    expect(checkAvroCompatibility(PRICE_RECORD_AVRO, reordered, 'FULL').compatible).toBe(true)
  })
})

// ---------------------------------------------------------------------------------------------

/** `intervalStart` -> `interval_start`; `run` stays `run`. */
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** Splits at commas outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === "'") quoted = !quoted
    else if (!quoted && c === '(') depth++
    else if (!quoted && c === ')') depth--
    else if (!quoted && depth === 0 && c === ',') {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts.map((p) => p.trim()).filter(Boolean)
}

/** `name Type ...` -> [name, Type]; the type ends at the first space outside parentheses. */
function columnDefinition(definition: string): [string, string] | undefined {
  const match = /^`?(\w+)`?\s+/.exec(definition)
  if (!match || /^(INDEX|PROJECTION|CONSTRAINT)$/i.test(match[1]!)) return undefined
  let depth = 0
  let end = match[0].length
  for (; end < definition.length; end++) {
    const c = definition[end]
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (depth === 0 && /\s/.test(c!)) break
  }
  return [match[1]!, definition.slice(match[0].length, end)]
}

/** The columns of the `prices` table after applying the migration files in order. */
function pricesColumns(sqlFiles: string[]): Map<string, string> {
  const columns = new Map<string, string>()
  for (const file of sqlFiles) {
    const sql = file.replace(/--[^\n]*/g, '')
    const create = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\w+\.)?`?prices`?\s*\(/i.exec(sql)
    if (create) {
      let depth = 1
      let end = create.index + create[0].length
      for (; end < sql.length && depth > 0; end++) {
        if (sql[end] === '(') depth++
        else if (sql[end] === ')') depth--
      }
      for (const part of splitTopLevel(sql.slice(create.index + create[0].length, end - 1))) {
        const column = columnDefinition(part)
        if (column) columns.set(...column)
      }
    }
    for (const alter of sql.matchAll(/ALTER\s+TABLE\s+(?:\w+\.)?`?prices`?\s+([\s\S]*?)(?:;|$)/gi)) {
      for (const clause of splitTopLevel(alter[1]!)) {
        const add = /^ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?([\s\S]*)$/i.exec(clause)
        const drop = /^DROP\s+COLUMN\s+(?:IF\s+EXISTS\s+)?`?(\w+)`?/i.exec(clause)
        const column = add ? columnDefinition(add[1]!) : undefined
        if (column) columns.set(...column)
        if (drop) columns.delete(drop[1]!)
      }
    }
  }
  return columns
}

/** What is wrong between the record's fields and the `prices` columns; empty when nothing. */
function clickHouseDrift(sqlFiles: string[]): string[] {
  const columns = pricesColumns(sqlFiles)
  const properties = priceRecordJsonSchema().properties as Record<string, JsonSchema>
  const problems: string[] = []
  for (const [name, property] of Object.entries(properties)) {
    const column = snakeCase(name)
    let type = columns.get(column)
    if (type === undefined) {
      problems.push(`PriceRecord.${name} has no column ${column} in prices`)
      continue
    }
    type = type.replace(/^LowCardinality\((.*)\)$/, '$1')
    const nullableColumn = /^Nullable\(/.test(type)
    type = type.replace(/^Nullable\((.*)\)$/, '$1').replace(/^LowCardinality\((.*)\)$/, '$1')
    const json = JSON.stringify(property)
    const nullableField = json.includes('"null"')
    if (nullableColumn !== nullableField) problems.push(`${column} is ${nullableColumn ? '' : 'not '}Nullable but PriceRecord.${name} is ${nullableField ? '' : 'not '}nullable`)
    const expected = json.includes('"format":"date-time"') ? "DateTime64(3, 'UTC')" : json.includes('"number"') ? 'Float64' : 'String'
    if (type !== expected) problems.push(`${column} is ${type}, expected ${expected} for PriceRecord.${name}`)
  }
  return problems
}

describe('ClickHouse prices columns (d)', () => {
  const migrationFiles = readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => readFileSync(new URL(f, migrationsDir), 'utf8'))

  it('name a column of the right type for every record field', () => {
    expect(pricesColumns(migrationFiles).size).toBeGreaterThanOrEqual(Object.keys(PriceRecord.shape).length)
    expect(clickHouseDrift(migrationFiles)).toEqual([])
  })

  it('reports a missing column, a dropped column, a wrong nullability and a wrong precision', () => {
    const base = readFileSync(new URL('0001_prices.sql', migrationsDir), 'utf8')
    expect(clickHouseDrift([base.replace(/^\s*ghg Nullable\(Float64\),\n/m, '')])).toEqual(['PriceRecord.ghg has no column ghg in prices'])
    expect(clickHouseDrift([base, 'ALTER TABLE prices DROP COLUMN IF EXISTS published_at;'])).toEqual([
      'PriceRecord.publishedAt has no column published_at in prices',
    ])
    expect(clickHouseDrift([base.replace('energy Nullable(Float64)', 'energy Float64')])).toEqual([
      'energy is not Nullable but PriceRecord.energy is nullable',
    ])
    expect(clickHouseDrift([base.replace("interval_end DateTime64(3, 'UTC')", "interval_end DateTime64(0, 'UTC')")])).toEqual([
      "interval_end is DateTime64(0, 'UTC'), expected DateTime64(3, 'UTC') for PriceRecord.intervalEnd",
    ])
    // A field added later is found in an ALTER TABLE ... ADD COLUMN of a later migration.
    const more = PriceRecord.extend({ currency: z.string() })
    expect(Object.keys(more.shape).map(snakeCase)).toContain('currency')
    expect([...pricesColumns([base, 'ALTER TABLE prices ADD COLUMN IF NOT EXISTS currency LowCardinality(String) DEFAULT \'USD\';'])].at(-1)).toEqual([
      'currency',
      'LowCardinality(String)',
    ])
  })
})

// Keep the snapshot names in one place.
it('names snapshots price-record.v<N>.schema.json and price-record.v<N>.avsc', () => {
  expect(jsonSchemaSnapshotName(3)).toBe('price-record.v3.schema.json')
  expect(avroSnapshotName(3)).toBe('price-record.v3.avsc')
  expect(snapshotVersion('price-record.v12.avsc')).toEqual({ version: 12, kind: 'avro' })
  expect(snapshotVersion('price-record.v0.avsc')).toBeUndefined()
  expect(snapshotVersion('README.md')).toBeUndefined()
})
