import { describe, expect, it } from 'vitest'
import { AppError } from '../../errors.ts'
import {
  compareKeys,
  contentDisposition,
  validateKey,
  validateListOptions,
  validatePrefix,
  validatePutOptions,
  validateSignedUrlOptions,
} from './types.ts'

function rejection(fn: () => unknown): AppError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    return error as AppError
  }
  throw new Error('expected a BAD_REQUEST AppError')
}

describe('validateKey', () => {
  it('accepts the platform key shapes', () => {
    for (const key of [
      'raw/MISO/da_expost_lmp/2026/07/14/0f3a.csv',
      'exports/acme/2026-07-14 prices.csv',
      'reports/Zürich/€.pdf',
      'a',
      'x'.repeat(1024),
    ]) {
      expect(validateKey(key)).toBe(key)
    }
  })

  it('rejects unsafe or ambiguous keys with BAD_REQUEST naming the key', () => {
    const cases: [unknown, string][] = [
      ['', 'non-empty'],
      [undefined, 'non-empty'],
      ['/etc/passwd', 'start with "/"'],
      ['raw/../../etc', '".."'],
      ['a..b', '".."'],
      ['tab\there', 'control character'],
      ['nul\u0000', 'control character'],
      ['line\u2028sep', 'control character'],
      ['lone\ud800', 'well-formed'],
      ['a\\b', '"\\"'],
      ['a//b', 'empty or "."'],
      ['a/./b', 'empty or "."'],
      ['dir/', 'empty or "."'],
      ['x'.repeat(1025), '1024 bytes'],
      ['é'.repeat(513), '1024 bytes'],
    ]
    for (const [key, why] of cases) {
      const error = rejection(() => validateKey(key))
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message).toContain(why)
      if (['/etc/passwd', 'raw/../../etc', 'a//b', 'dir/', 'a\\b'].includes(key as string)) {
        expect(error.message).toContain(JSON.stringify(key))
      }
    }
  })
})

describe('other validation', () => {
  it('prefixes may be empty or end with "/"', () => {
    expect(validatePrefix('')).toBe('')
    expect(validatePrefix('raw/MISO/')).toBe('raw/MISO/')
    expect(validatePrefix('raw/MI')).toBe('raw/MI')
    expect(rejection(() => validatePrefix('/raw')).code).toBe('BAD_REQUEST')
    expect(rejection(() => validatePrefix('raw//')).code).toBe('BAD_REQUEST')
  })

  it('list limits are 1..1000, default 1000', () => {
    expect(validateListOptions()).toEqual({ after: undefined, limit: 1000 })
    expect(validateListOptions({ limit: 1, after: 'a' })).toEqual({ after: 'a', limit: 1 })
    for (const limit of [0, 1001, 1.5, Number.NaN]) expect(rejection(() => validateListOptions({ limit })).code).toBe('BAD_REQUEST')
  })

  it('metadata is lowercase names and printable ASCII values, 2 KB at most', () => {
    expect(validatePutOptions({ metadata: { 'source-url': 'https://x/y?z=1' } })).toEqual({
      contentType: 'application/octet-stream',
      metadata: { 'source-url': 'https://x/y?z=1' },
    })
    expect(rejection(() => validatePutOptions({ metadata: { Upper: 'x' } })).message).toContain('metadata name')
    expect(rejection(() => validatePutOptions({ metadata: { under_score: 'x' } })).message).toContain('metadata name')
    expect(rejection(() => validatePutOptions({ metadata: { ok: 'ü' } })).message).toContain('metadata value')
    expect(rejection(() => validatePutOptions({ metadata: { ok: ' padded' } })).message).toContain('metadata value')
    expect(rejection(() => validatePutOptions({ metadata: { big: 'x'.repeat(2100) } })).message).toContain('2048')
    expect(rejection(() => validatePutOptions({ contentType: 'text/csv\r\nx: y' })).message).toContain('content type')
  })

  it('signed URLs live 1 s .. 7 days and filenames carry no quotes, slashes or controls', () => {
    expect(validateSignedUrlOptions({ expiresInSeconds: 604800, filename: 'ok name.csv' })).toEqual({
      expiresInSeconds: 604800,
      filename: 'ok name.csv',
    })
    for (const expiresInSeconds of [0, -1, 604801, 1.5]) {
      expect(rejection(() => validateSignedUrlOptions({ expiresInSeconds })).code).toBe('BAD_REQUEST')
    }
    for (const filename of ['', 'a"b', 'a/b', 'a\\b', 'a\nb', 'x'.repeat(256)]) {
      expect(rejection(() => validateSignedUrlOptions({ expiresInSeconds: 60, filename })).code).toBe('BAD_REQUEST')
    }
  })
})

describe('contentDisposition', () => {
  it('quotes ASCII names and adds RFC 5987 filename* for others', () => {
    expect(contentDisposition('prices 2026.csv')).toBe('attachment; filename="prices 2026.csv"')
    expect(contentDisposition("Zürich (it's).csv")).toBe(
      `attachment; filename="Z_rich (it's).csv"; filename*=UTF-8''Z%C3%BCrich%20%28it%27s%29.csv`,
    )
  })
})

describe('compareKeys', () => {
  it('orders by UTF-8 bytes like S3, not by UTF-16 code units', () => {
    // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8; UTF-16 puts the surrogate first.
    const keys = ['a/\u{1F600}', 'a/\uFF21', 'a-b', 'a/b', 'A', 'a b']
    expect([...keys].sort(compareKeys)).toEqual(['A', 'a b', 'a-b', 'a/b', 'a/\uFF21', 'a/\u{1F600}'])
    expect([...keys].sort()).not.toEqual([...keys].sort(compareKeys))
  })
})
