import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import avro from 'avsc'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  buildPriceRecordJsonSchema,
  decodePriceRecord,
  encodePriceRecord,
  fromAvro,
  isoToMillis,
  millisToIso,
  PRICE_RECORD_AVRO,
  PRICE_RECORD_FIELD_DOCS,
  priceRecordAvroType,
  priceRecordJsonSchema,
  toAvro,
  type JsonSchema,
} from './formats.ts'
import { PRICE_RECORD_SAMPLES } from './price-record-samples.ts'
import { MarketId, MarketRun, PRICE_RECORD_VERSION, PriceRecord } from './price-record.ts'

// ajv 8 is in node_modules (through @seriousme/openapi-schema-validator, a devDependency).
const ajv = new Ajv2020({ strict: true, allErrors: true })
addFormats(ajv)
const validate = ajv.compile(priceRecordJsonSchema())

const sample = PRICE_RECORD_SAMPLES[0]!.record
const fieldNames = Object.keys(PriceRecord.shape)

describe('priceRecordJsonSchema', () => {
  const schema = priceRecordJsonSchema()
  const properties = schema.properties as Record<string, JsonSchema>

  it('is draft 2020-12 with a versioned $id, a title and a description for every field', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema.$id).toBe(`urn:254carbon:schema:price-record:v${PRICE_RECORD_VERSION}`)
    expect(schema.title).toBe('PriceRecord')
    expect(schema.description).toMatch(/canonical 254Carbon price record/)
    expect(Object.keys(properties)).toEqual(fieldNames)
    for (const name of fieldNames) expect(properties[name]?.description, name).toBe(PRICE_RECORD_FIELD_DOCS[name as keyof PriceRecord])
    expect(schema.required).toEqual(fieldNames)
    expect(schema.additionalProperties).toBe(false)
  })

  it('refuses a field without a description', () => {
    const extended = PriceRecord.extend({ currency: z.string() })
    expect(() => buildPriceRecordJsonSchema(extended, 2)).toThrow(/currency has no description/)
    expect(buildPriceRecordJsonSchema(extended, 2, { ...PRICE_RECORD_FIELD_DOCS, currency: 'ISO 4217' }).$id).toMatch(/:v2$/)
  })

  it.each(PRICE_RECORD_SAMPLES)('accepts the sample: $name', ({ record }) => {
    expect(PriceRecord.parse(record)).toEqual(record)
    const ok = validate(record)
    expect(validate.errors ?? []).toEqual([])
    expect(ok).toBe(true)
  })

  // Each of these is rejected by zod; the JSON Schema must reject it too.
  const invalid: Array<[string, unknown]> = [
    ['unknown market', { ...sample, market: 'ENTSOE' }],
    ['unknown run', { ...sample, run: 'RT1' }],
    ['empty node', { ...sample, node: '' }],
    ['node over 128 characters', { ...sample, node: 'N'.repeat(129) }],
    ['timestamp with an offset', { ...sample, intervalStart: '2026-07-14T06:00:00.000-05:00' }],
    ['timestamp without a zone', { ...sample, intervalEnd: '2026-07-14T12:00:00' }],
    ['impossible date', { ...sample, intervalStart: '2026-02-30T00:00:00.000Z' }],
    ['lmp as a string', { ...sample, lmp: '41.27' }],
    ['lmp null', { ...sample, lmp: null }],
    ['component missing instead of null', (({ energy: _, ...rest }) => rest)(sample)],
    ['publishedAt missing instead of null', (({ publishedAt: _, ...rest }) => rest)(sample)],
    ['empty source', { ...sample, source: '' }],
  ]
  it.each(invalid)('rejects, as zod does: %s', (_name, value) => {
    expect(PriceRecord.safeParse(value).success).toBe(false)
    expect(validate(value)).toBe(false)
  })

  it('describes the parsed record: zod strips an extra property, so the schema allows none', () => {
    const extra = { ...sample, currency: 'USD' }
    expect(PriceRecord.parse(extra)).toEqual(sample)
    expect(validate(extra)).toBe(false)
    expect(validate(PriceRecord.parse(extra))).toBe(true)
  })
})

describe('PRICE_RECORD_AVRO', () => {
  it('is the versioned record com._254carbon.prices.v<N>.PriceRecord', () => {
    expect(priceRecordAvroType.name).toBe(`com._254carbon.prices.v${PRICE_RECORD_VERSION}.PriceRecord`)
  })

  it('agrees with the JSON Schema field by field, in the order of the zod record', () => {
    const properties = priceRecordJsonSchema().properties as Record<string, JsonSchema>
    expect(PRICE_RECORD_AVRO.fields.map((f) => f.name)).toEqual(fieldNames)
    for (const field of PRICE_RECORD_AVRO.fields) {
      const json = properties[field.name]!
      const jsonTypes = json.anyOf ? (json.anyOf as JsonSchema[]).map((s) => s.type) : [json.type].flat()
      const nullable = jsonTypes.includes('null')
      const avroType = field.type as unknown
      const branches = Array.isArray(avroType) ? avroType : [avroType]
      expect(branches.includes('null'), `${field.name}: nullable in both`).toBe(nullable)
      if (nullable) {
        expect(branches[0], `${field.name}: null first`).toBe('null')
        expect((field as { default?: unknown }).default, `${field.name}: default null`).toBeNull()
      }
      const value = branches.find((b) => b !== 'null') as string | { type: string; logicalType?: string; symbols?: string[] }
      const isoString = JSON.stringify(json).includes('"format":"date-time"')
      if (isoString) expect(value, field.name).toEqual({ type: 'long', logicalType: 'timestamp-millis' })
      else if (json.enum) expect(value, field.name).toMatchObject({ type: 'enum', symbols: json.enum })
      else if (jsonTypes.includes('number')) expect(value, field.name).toBe('double')
      else expect(value, field.name).toBe('string')
    }
    expect(MarketId.options).toEqual(properties.market!.enum)
    expect(MarketRun.options).toEqual(properties.run!.enum)
  })
})

describe('toAvro / fromAvro', () => {
  it('turns ISO timestamps into epoch milliseconds and back', () => {
    const value = toAvro(sample)
    expect(value.intervalStart).toBe(Date.UTC(2026, 6, 14, 11))
    expect(value.intervalEnd).toBe(Date.UTC(2026, 6, 14, 12))
    expect(value.publishedAt).toBe(Date.UTC(2026, 6, 13, 17, 31, 5, 123))
    expect(fromAvro(value)).toEqual(sample)
  })

  it('keeps the two fall-back hours apart and the pre-epoch instant negative', () => {
    const [first, repeated] = PRICE_RECORD_SAMPLES.filter((s) => s.name.includes('fall-back')).map((s) => toAvro(s.record))
    expect(repeated!.intervalStart - first!.intervalStart).toBe(3_600_000)
    const preEpoch = PRICE_RECORD_SAMPLES.find((s) => s.name.startsWith('pre-epoch'))!.record
    expect(toAvro(preEpoch).intervalStart).toBe(-3_600_000)
    expect(toAvro(preEpoch).publishedAt).toBe(Date.UTC(1969, 11, 31, 12, 34, 56, 789))
  })

  it('reads any ISO UTC form of an instant and writes the canonical one', () => {
    expect(isoToMillis('2026-03-08T07:00:00Z')).toBe(Date.UTC(2026, 2, 8, 7))
    expect(isoToMillis('2026-03-08T07:00:00.5Z')).toBe(Date.UTC(2026, 2, 8, 7, 0, 0, 500))
    expect(isoToMillis('2026-03-08T07:00:00.123000Z')).toBe(Date.UTC(2026, 2, 8, 7, 0, 0, 123))
    expect(millisToIso(Date.UTC(2026, 2, 8, 7))).toBe('2026-03-08T07:00:00.000Z')
  })

  it('refuses precision Avro cannot carry and values that are not instants', () => {
    expect(() => isoToMillis('2026-03-08T07:00:00.1234Z', 'intervalStart')).toThrow(/intervalStart has sub-millisecond precision/)
    expect(() => toAvro({ ...sample, publishedAt: '2026-03-08T07:00:00.000001Z' })).toThrow(/publishedAt has sub-millisecond/)
    expect(() => isoToMillis('not a time')).toThrow(RangeError)
    expect(() => isoToMillis('2026-03-08T07:00:00+01:00')).toThrow(/not an ISO 8601 UTC/)
    expect(() => millisToIso(1.5)).toThrow(/whole number/)
  })
})

describe('encodePriceRecord / decodePriceRecord', () => {
  it.each(PRICE_RECORD_SAMPLES)('round-trips exactly: $name', ({ record }) => {
    const buffer = encodePriceRecord(record)
    expect(Buffer.isBuffer(buffer)).toBe(true)
    const decoded = decodePriceRecord(buffer)
    expect(decoded).toStrictEqual(record)
    for (const key of ['lmp', 'energy', 'congestion', 'loss', 'ghg'] as const) {
      expect(Object.is(decoded[key], record[key]), `${key} bit-exact (including -0)`).toBe(true)
    }
  })

  it('writes the compact Avro binary (nulls cost one byte)', () => {
    const allNull = PRICE_RECORD_SAMPLES.find((s) => s.name.startsWith('all components null'))!.record
    const withComponents = { ...allNull, energy: 1, congestion: 2, loss: 3, ghg: 4, publishedAt: '2026-01-05T06:00:00.000Z' }
    // Each non-null double adds 8 bytes; publishedAt adds its zig-zag long.
    const extra = encodePriceRecord(withComponents).length - encodePriceRecord(allNull).length
    expect(extra).toBe(4 * 8 + avro.Type.forSchema('long').toBuffer(Date.UTC(2026, 0, 5, 6)).length)
  })

  it('decodes a non-canonical ISO form as the same instant in canonical form', () => {
    const record = { ...sample, intervalStart: '2026-07-14T11:00:00Z', publishedAt: '2026-07-13T17:31:05.1230Z' }
    expect(decodePriceRecord(encodePriceRecord(record))).toEqual({
      ...sample,
      intervalStart: '2026-07-14T11:00:00.000Z',
      publishedAt: '2026-07-13T17:31:05.123Z',
    })
  })

  it('refuses to encode what the canonical record rejects', () => {
    expect(() => encodePriceRecord({ ...sample, lmp: Number.NaN })).toThrow()
    expect(() => encodePriceRecord({ ...sample, lmp: Number.POSITIVE_INFINITY })).toThrow()
    expect(() => encodePriceRecord({ ...sample, intervalStart: '2026-07-14T06:00:00-05:00' })).toThrow()
    expect(() => encodePriceRecord({ ...sample, market: 'ENTSOE' as never })).toThrow()
    expect(() => encodePriceRecord({ ...sample, node: '' })).toThrow()
  })

  it('refuses truncated or trailing bytes, and decoded values the record rejects', () => {
    const buffer = encodePriceRecord(sample)
    expect(() => decodePriceRecord(buffer.subarray(0, buffer.length - 1))).toThrow()
    expect(() => decodePriceRecord(Buffer.concat([buffer, Buffer.from([0])]))).toThrow(/trailing/)
    // Avro itself accepts an empty node; the canonical record does not.
    const emptyNode = priceRecordAvroType.toBuffer({ ...toAvro(sample), node: '' })
    expect(() => decodePriceRecord(emptyNode)).toThrow(/node/)
  })

  it('reads data written with another version of the schema through Avro resolution', () => {
    const next = structuredClone(PRICE_RECORD_AVRO) as typeof PRICE_RECORD_AVRO
    next.namespace = `com._254carbon.prices.v${PRICE_RECORD_VERSION + 1}`
    next.fields.push({ name: 'currency' as never, type: ['null', 'string'], default: null, doc: 'ISO 4217' } as never)
    const writer = avro.Type.forSchema(next)
    const bytes = writer.toBuffer({ ...toAvro(sample), currency: 'USD' })
    expect(() => decodePriceRecord(bytes)).toThrow()
    expect(decodePriceRecord(bytes, writer)).toEqual(sample)
    // The resolver is cached per writer type.
    expect(decodePriceRecord(bytes, writer)).toEqual(sample)
  })
})
