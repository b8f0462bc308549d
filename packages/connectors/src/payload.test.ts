import { zipSync } from 'fflate'
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

  it('refuses an empty zip', () => {
    expect(() => unpackPayload(zipSync({}), 'empty.zip')).toThrow(/holds no file/)
  })
})
