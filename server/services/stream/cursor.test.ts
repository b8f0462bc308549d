import { describe, expect, it } from 'vitest'
import { formatCursor, NO_POSITION, parseCursor } from './cursor.ts'

describe('stream cursors', () => {
  it('round-trip partition:offset pairs', () => {
    const cursor = parseCursor('3:5121,0:1795653507284000')
    expect([...cursor]).toEqual([
      [3, 5121],
      [0, 1795653507284000],
    ])
    expect(formatCursor(cursor)).toBe('0:1795653507284000,3:5121')
  })

  it('read NO_POSITION (the id of an end sent before any price) as no position: a reconnect starts afresh', () => {
    expect(parseCursor(NO_POSITION).size).toBe(0)
    expect(parseCursor('').size).toBe(0)
  })

  it('refuse anything else, naming the bad pair', () => {
    expect(() => parseCursor('0:1,yesterday')).toThrow(/Last-Event-ID: "yesterday" is not partition:offset/)
    expect(() => parseCursor('--')).toThrow(/is not partition:offset/)
  })
})
