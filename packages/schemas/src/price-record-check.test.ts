import { describe, expect, it } from 'vitest'
import { isExactPriceRecord } from './price-record-check.ts'
import { PRICE_RECORD_SAMPLES } from './price-record-samples.ts'
import { PriceRecord } from './price-record.ts'

const base = PRICE_RECORD_SAMPLES[0]!.record

/** Every field set to values around its bounds, valid or not, and times zod accepts in other forms. */
const VARIANTS: Record<string, unknown[]> = {
  market: ['MISO', 'CAISO', 'PJM', 'miso', '', null, 1, undefined],
  node: ['A', 'x'.repeat(128), 'x'.repeat(129), '', 'NODE "Q"\\\n', null, 7, undefined],
  run: ['DA', 'RT5', 'RT15', 'RTH', 'RT1', '', null, undefined],
  intervalStart: [
    '2026-07-14T11:00:00.000Z',
    '2024-02-29T00:00:00.000Z',
    '2025-02-29T00:00:00.000Z',
    '2000-02-29T23:59:59.999Z',
    '1900-02-29T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    '2026-07-14T11:00:00Z',
    '2026-07-14T11:00:00.1234Z',
    '2026-07-14T11:00:00.1Z',
    '2026-07-14T11:00Z',
    '2026-07-14T24:00:00.000Z',
    '2026-07-14T23:60:00.000Z',
    '2026-07-14T23:59:60.000Z',
    '2026-13-01T00:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-00-10T00:00:00.000Z',
    '2026-07-14T11:00:00.000+00:00',
    '+002026-07-14T11:00:00.000Z',
    '2026-07-14 11:00:00.000Z',
    '',
    null,
    1_784_000_000_000,
    undefined,
  ],
  lmp: [0, -0, -35.12, 1e308, Number.NaN, Number.POSITIVE_INFINITY, null, '41.2', undefined],
  energy: [null, 0, -1.5, Number.NaN, Number.NEGATIVE_INFINITY, '1', undefined],
  source: ['s', '', null, 3, undefined],
  publishedAt: [null, '2026-07-13T17:31:05.123Z', '2026-07-13T17:31:05Z', '2026-02-30T00:00:00.000Z', 'yesterday', 0, undefined],
}

function variants(): Array<{ name: string; value: unknown }> {
  const out: Array<{ name: string; value: unknown }> = PRICE_RECORD_SAMPLES.map((s) => ({ name: s.name, value: { ...s.record } }))
  for (const [field, values] of Object.entries(VARIANTS)) {
    for (const v of values) {
      const record: Record<string, unknown> = { ...base, [field]: v }
      if (v === undefined) delete record[field]
      out.push({ name: `${field} = ${String(v)}`, value: record })
    }
  }
  // intervalEnd shares intervalStart's rule: check it on its own too.
  for (const v of VARIANTS.intervalStart!) out.push({ name: `intervalEnd = ${String(v)}`, value: { ...base, intervalEnd: v } })
  out.push({ name: 'an extra key', value: { ...base, extra: 1 } })
  out.push({ name: 'keys in another order', value: Object.fromEntries(Object.entries(base).reverse()) })
  out.push({ name: 'null', value: null }, { name: 'an array', value: [base] }, { name: 'a string', value: JSON.stringify(base) })
  out.push({ name: 'a JSON __proto__ key', value: JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(base).slice(1)}`) })
  return out
}

describe('isExactPriceRecord', () => {
  it.each(variants())('never accepts what the schema would refuse or change: $name', ({ value }) => {
    const verdict = PriceRecord.safeParse(value)
    if (isExactPriceRecord(value)) {
      expect(verdict.success).toBe(true)
      expect(verdict.data).toStrictEqual(value)
    }
  })

  it('accepts every canonical sample and a record from JSON, so the schema is asked only about the unusual ones', () => {
    for (const { record } of PRICE_RECORD_SAMPLES) expect(isExactPriceRecord(record), JSON.stringify(record)).toBe(true)
    expect(isExactPriceRecord(JSON.parse(JSON.stringify(base)))).toBe(true)
    expect(isExactPriceRecord({ ...base, intervalStart: '2024-02-29T00:00:00.000Z', node: 'x'.repeat(128) })).toBe(true)
  })

  it('leaves to the schema the forms it accepts but producers do not write, and refuses the invalid ones', () => {
    const unsure = [
      { ...base, intervalStart: '2026-07-14T11:00:00Z' },
      { ...base, extra: 1 },
      { ...base, publishedAt: '2026-07-13T17:31:05.1Z' },
    ]
    for (const value of unsure) {
      expect(isExactPriceRecord(value)).toBe(false)
      expect(PriceRecord.safeParse(value).success).toBe(true)
    }
    for (const bad of [{ ...base, intervalStart: '2025-02-29T00:00:00.000Z' }, { ...base, lmp: Number.NaN }, { ...base, node: '' }, { ...base, run: 'RT1' }]) {
      expect(isExactPriceRecord(bad)).toBe(false)
      expect(PriceRecord.safeParse(bad).success).toBe(false)
    }
  })

  it('judges a time again after its memory of canonical times started over', () => {
    const start = Date.UTC(2026, 0, 1)
    for (let i = 0; i < 5_000; i++) expect(isExactPriceRecord({ ...base, intervalStart: new Date(start + i * 60_000).toISOString() })).toBe(true)
    expect(isExactPriceRecord({ ...base, intervalStart: '2026-02-29T00:00:00.000Z' })).toBe(false)
  })
})
