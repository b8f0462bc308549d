import fs from 'node:fs'
import { FIXTURE_DIR, FIXTURE_FILES, ParseError } from '@carbon/connectors'
import { pino } from 'pino'
import { zipSync } from 'fflate'
import { afterEach, describe, expect, it } from 'vitest'
import { createThreadParser, parsePayload, ParseThreadError, type PayloadParser } from './parse.ts'

const log = pino({ level: 'silent' })
const fixture = (name: string) => new Uint8Array(fs.readFileSync(new URL(name, FIXTURE_DIR)))

describe('the ingest parse thread', () => {
  let parser: PayloadParser | null = null
  afterEach(async () => {
    await parser?.stop()
    parser = null
  })

  it('reads every real publisher file exactly as this thread does, and leaves the caller its bytes', async () => {
    parser = createThreadParser(log)
    for (const { name, source } of FIXTURE_FILES) {
      const bytes = fixture(name)
      const copy = bytes.slice()
      const inThread = await parser.parse(source, { bytes, file: name })
      expect(inThread.records.length, name).toBeGreaterThan(0)
      expect(inThread, name).toEqual(parsePayload(source, { bytes, file: name }))
      expect(Buffer.from(bytes).equals(Buffer.from(copy)), `${name}: the caller's bytes are untouched`).toBe(true)
    }
  })

  it('opens a zipped CAISO answer in the thread and answers several files in the order asked', async () => {
    parser = createThreadParser(log)
    const csv = FIXTURE_FILES.find((f) => f.source === 'caiso.oasis.prc_lmp')!
    const zip = zipSync({ [csv.name]: fixture(csv.name) })
    const answers = await Promise.all([1, 2, 3].map(() => parser!.parse(csv.source, { bytes: zip, file: 'answer.zip' })))
    const expected = parsePayload(csv.source, { bytes: fixture(csv.name), file: `answer.zip!${csv.name}` })
    for (const answer of answers) expect(answer).toEqual(expected)
  })

  it('refuses an unreadable file with a ParseError naming the file, line and field, as inline parsing does', async () => {
    parser = createThreadParser(log)
    const truncated = zipSync({ 'a.csv': new TextEncoder().encode('x'.repeat(5000)) }).slice(0, 40)
    const inline = (() => {
      try {
        parsePayload('caiso.oasis.prc_lmp', { bytes: truncated, file: 'broken.zip' })
      } catch (error) {
        return error
      }
    })()
    expect(inline).toBeInstanceOf(ParseError)
    const refused = await parser.parse('caiso.oasis.prc_lmp', { bytes: truncated, file: 'broken.zip' }).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ParseError)
    const { file, line, field, message } = refused as ParseError
    expect({ file, line, field, message }).toEqual({ file: (inline as ParseError).file, line: (inline as ParseError).line, field: (inline as ParseError).field, message: (inline as ParseError).message })
    expect(message).toContain('broken.zip')
    // The thread is still there for the next file.
    const ok = FIXTURE_FILES[0]!
    expect((await parser.parse(ok.source, { bytes: fixture(ok.name), file: ok.name })).records.length).toBeGreaterThan(0)
  })

  it('fails the files still waiting when stopped, and refuses new ones', async () => {
    parser = createThreadParser(log)
    const { name, source } = FIXTURE_FILES[0]!
    const waiting = parser.parse(source, { bytes: fixture(name), file: name })
    await parser.stop()
    await expect(waiting).rejects.toBeInstanceOf(ParseThreadError)
    await expect(parser.parse(source, { bytes: fixture(name), file: name })).rejects.toThrow('the ingest parser stopped')
  })
})
