import fs from 'node:fs'
import { FIXTURE_DIR, FIXTURE_FILES, ParseError } from '@carbon/connectors'
import { pino } from 'pino'
import { zipSync } from 'fflate'
import { afterEach, describe, expect, it } from 'vitest'
import { createThreadParser, parsePayload, preparePayload, ParseThreadError, recordText, recordTexts, type PayloadParser, type PrepareOptions } from './parse.ts'

const log = pino({ level: 'silent' })
const fixture = (name: string) => new Uint8Array(fs.readFileSync(new URL(name, FIXTURE_DIR)))
/** Every record of any fixture (2000 to 2100), publication time filled where a format has none. */
const ALL: PrepareOptions = { window: { start: Date.UTC(2000, 0, 1), end: Date.UTC(2100, 0, 1) }, published: '2026-07-14T17:00:00.000Z' }

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
      const inThread = await parser.prepare(source, { bytes, file: name }, ALL)
      expect(inThread.records.count, name).toBeGreaterThan(0)
      expect(inThread, name).toEqual(preparePayload(source, { bytes, file: name }, ALL))
      // The texts are the records' JSON, as parsed in this thread.
      const parsed = parsePayload(source, { bytes, file: name }).records
      const texts = Array.from({ length: inThread.records.count }, (_, i) => recordText(inThread.records, i))
      expect(texts.map((t) => JSON.parse(t)).map((r) => ({ ...r, publishedAt: null })), name).toEqual(parsed.map((r) => ({ ...r, publishedAt: null })))
      expect(Buffer.from(bytes).equals(Buffer.from(copy)), `${name}: the caller's bytes are untouched`).toBe(true)
    }
  })

  it('opens a zipped CAISO answer in the thread and answers several files in the order asked', async () => {
    parser = createThreadParser(log)
    const csv = FIXTURE_FILES.find((f) => f.source === 'caiso.oasis.prc_lmp')!
    const zip = zipSync({ [csv.name]: fixture(csv.name) })
    const answers = await Promise.all([1, 2, 3].map(() => parser!.prepare(csv.source, { bytes: zip, file: 'answer.zip' }, ALL)))
    const expected = preparePayload(csv.source, { bytes: fixture(csv.name), file: `answer.zip!${csv.name}` }, ALL)
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
    const refused = await parser.prepare('caiso.oasis.prc_lmp', { bytes: truncated, file: 'broken.zip' }, ALL).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ParseError)
    const { file, line, field, message } = refused as ParseError
    expect({ file, line, field, message }).toEqual({ file: (inline as ParseError).file, line: (inline as ParseError).line, field: (inline as ParseError).field, message: (inline as ParseError).message })
    expect(message).toContain('broken.zip')
    // The thread is still there for the next file.
    const ok = FIXTURE_FILES[0]!
    expect((await parser.prepare(ok.source, { bytes: fixture(ok.name), file: ok.name }, ALL)).records.count).toBeGreaterThan(0)
  })

  it('fails the files still waiting when stopped, and refuses new ones', async () => {
    parser = createThreadParser(log)
    const { name, source } = FIXTURE_FILES[0]!
    const waiting = parser.prepare(source, { bytes: fixture(name), file: name }, ALL)
    await parser.stop()
    await expect(waiting).rejects.toBeInstanceOf(ParseThreadError)
    await expect(parser.prepare(source, { bytes: fixture(name), file: name }, ALL)).rejects.toThrow('the ingest parser stopped')
  })
})

describe('recordTexts', () => {
  const { name, source } = FIXTURE_FILES.find((f) => f.source === 'caiso.oasis.prc_lmp')!
  const records = () => parsePayload(source, { bytes: fixture(name), file: name }).records

  it('keeps the records of the window, fills the publication time, and cuts each JSON text out exactly, across pieces', () => {
    const all = records()
    const starts = [...new Set(all.map((r) => Date.parse(r.intervalStart)))].sort((a, b) => a - b)
    expect(starts.length).toBeGreaterThan(2)
    const window = { start: starts[1]!, end: starts[starts.length - 1]! }
    const inWindow = all.filter((r) => Date.parse(r.intervalStart) >= window.start && Date.parse(r.intervalStart) < window.end)
    const published = '2026-07-14T17:00:00.000Z'
    const expected = inWindow.map((r) => JSON.stringify({ ...r, publishedAt: r.publishedAt ?? published }))
    // Pieces of about three records: every boundary case (first of a piece, last, a lone one).
    const { texts, outside } = recordTexts(records(), { window, published }, 3 * expected[0]!.length)
    expect(outside).toBe(all.length - inWindow.length)
    expect(texts.count).toBe(inWindow.length)
    expect(texts.pieces.length).toBeGreaterThan(inWindow.length / 4)
    expect(Array.from({ length: texts.count }, (_, i) => recordText(texts, i))).toEqual(expected)
    expect(Array.from(texts.node, (k) => texts.nodes[k])).toEqual(inWindow.map((r) => r.node))
    expect(new Set(texts.nodes).size).toBe(texts.nodes.length)
    expect(Array.from(texts.start)).toEqual(inWindow.map((r) => Date.parse(r.intervalStart)))
  })

  it('keeps a text longer than a piece whole, in a piece of its own', () => {
    const { texts } = recordTexts(records().slice(0, 3), ALL, 10)
    expect(texts.pieces.length).toBe(3)
    expect(Array.from({ length: 3 }, (_, i) => JSON.parse(recordText(texts, i)).node)).toEqual(records().slice(0, 3).map((r) => r.node))
  })
})
