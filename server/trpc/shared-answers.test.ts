import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { deepFreeze } from '../freeze.ts'
import { gunzipSync } from 'node:zlib'
import { isSharedAnswer, sharedAnswerEtag, sharedAnswerGzip, sharedAnswerJson, sharedAnswerOutput } from './shared-answers.ts'

const Point = z.object({ at: z.iso.datetime(), lmp: z.number() })
const Answer = z.object({ node: z.string(), points: z.array(Point) }).describe('an answer')

const answer = () => ({ node: 'INDIANA.HUB', points: [{ at: '2026-07-14T05:00:00.000Z', lmp: 31.5 }] })

describe('sharedAnswerOutput', () => {
  const output = sharedAnswerOutput(Answer)

  it('validates a shared (frozen) answer once: every call gets the same frozen copy', async () => {
    const shared = deepFreeze(answer())
    const first = await output.parseAsync(shared)
    expect(first).toEqual(shared)
    expect(await output.parseAsync(shared)).toBe(first)
    expect(Object.isFrozen(first.points[0])).toBe(true)
  })

  it('validates any other value on every call, as the schema itself does', async () => {
    const value = answer()
    const first = await output.parseAsync(value)
    expect(first).toEqual(value)
    expect(await output.parseAsync(value)).not.toBe(first)
    expect(Object.isFrozen(first)).toBe(false)
  })

  it('refuses a shared answer that does not fit the schema, every time', async () => {
    const bad = deepFreeze({ node: 'INDIANA.HUB', points: [{ at: 'yesterday', lmp: 31.5 }] })
    await expect(output.parseAsync(bad)).rejects.toThrow(z.ZodError)
    await expect(output.parseAsync(bad)).rejects.toThrow(/points/)
  })

  it('drops keys the schema does not name, as the schema does', async () => {
    const shared = deepFreeze({ ...answer(), secret: 'internal' })
    expect(await output.parseAsync(shared)).not.toHaveProperty('secret')
  })

  it('is the same schema to the OpenAPI document: same JSON Schema, same description', () => {
    expect(z.toJSONSchema(output)).toEqual(z.toJSONSchema(Answer))
    expect(output.description).toBe('an answer')
  })
})

describe('sharedAnswerJson', () => {
  it('serializes a shared answer once and hands out the same bytes', () => {
    const shared = deepFreeze(answer())
    const bytes = sharedAnswerJson(shared)
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(shared)
    expect(sharedAnswerJson(shared)).toBe(bytes)
  })

  it('gives a strong ETag that follows the content, and a gzip of the same bytes made once', async () => {
    const shared = deepFreeze(answer())
    const etag = sharedAnswerEtag(shared)
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/)
    expect(sharedAnswerEtag(deepFreeze(answer()))).toBe(etag)
    expect(sharedAnswerEtag(deepFreeze({ ...answer(), node: 'ILLINOIS.HUB' }))).not.toBe(etag)
    const gzip = await sharedAnswerGzip(shared)
    expect(gunzipSync(gzip).equals(sharedAnswerJson(shared))).toBe(true)
    expect(await sharedAnswerGzip(shared)).toBe(gzip)
  })

  it('tells shared answers by their being frozen', () => {
    expect(isSharedAnswer(deepFreeze(answer()))).toBe(true)
    expect(isSharedAnswer(answer())).toBe(false)
    expect(isSharedAnswer(null)).toBe(false)
    expect(isSharedAnswer('text')).toBe(false)
  })
})
