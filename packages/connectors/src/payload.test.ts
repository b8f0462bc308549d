import { unzipSync, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { ParseError } from './errors.ts'
import { unpackPayload } from './payload.ts'

const text = (s: string) => new TextEncoder().encode(s)

describe('unpackPayload', () => {
  it('passes a plain text file through', () => {
    expect(unpackPayload(text('a,b\n1,2\n'), 'x.csv')).toEqual([{ file: 'x.csv', text: 'a,b\n1,2\n' }])
  })

  it('opens a zip, naming each document after the zip and the entry', () => {
    const zip = zipSync({ 'b.csv': text('B'), 'a.csv': text('A') })
    expect(unpackPayload(zip, 'answer.zip')).toEqual([
      { file: 'answer.zip!a.csv', text: 'A' },
      { file: 'answer.zip!b.csv', text: 'B' },
    ])
  })

  it('refuses a truncated zip with a ParseError naming the file', () => {
    const zip = zipSync({ 'a.csv': text('x'.repeat(5000)) })
    const truncated = zip.slice(0, Math.floor(zip.length / 2))
    expect(() => unpackPayload(truncated, 'cut.zip')).toThrow(ParseError)
    expect(() => unpackPayload(truncated, 'cut.zip')).toThrow(/cut\.zip.*zip/)
  })

  it('opens stored and deflated entries (zlib) as fflate does, names in UTF-8 included', () => {
    const body = text('INTERVALSTARTTIME_GMT,VALUE\n'.repeat(2000) + 'é\n')
    for (const level of [0, 1, 9] as const) {
      const zip = zipSync({ 'b.csv': body, 'é.csv': text('x'), 'dir/': new Uint8Array(0) }, { level })
      const expected = Object.entries(unzipSync(zip))
        .filter(([name]) => !name.endsWith('/'))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, bytes]) => ({ file: `z.zip!${name}`, text: new TextDecoder().decode(bytes) }))
      expect(unpackPayload(zip, 'z.zip')).toEqual(expected)
    }
  })

  it('refuses a zip whose deflated data is corrupt', () => {
    const zip = zipSync({ 'a.csv': text('0123456789'.repeat(500)) }, { level: 6 })
    const corrupt = zip.slice()
    for (let i = 40; i < 60; i++) corrupt[i] = 0xff
    expect(() => unpackPayload(corrupt, 'bad.zip')).toThrow(ParseError)
  })

  it('decodes UTF-8 as TextDecoder does: a leading BOM dropped, bad bytes replaced', () => {
    const cases = [text('plain'), text('\ufeffbom'), text('é ü'), new Uint8Array([0x61, 0xff, 0xfe, 0x62])]
    for (const bytes of cases) expect(unpackPayload(bytes, 'x')).toEqual([{ file: 'x', text: new TextDecoder().decode(bytes) }])
  })

  it('refuses an empty zip', () => {
    expect(() => unpackPayload(zipSync({}), 'empty.zip')).toThrow(/holds no file/)
  })
})
