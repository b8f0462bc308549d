import { describe, expect, it } from 'vitest'
import { coveredUntil } from './request.ts'

const w = (start: number, end: number) => ({ start, end })

describe('coveredUntil (how far located documents cover a listing window without a hole)', () => {
  it('follows adjacent and overlapping windows in any order', () => {
    expect(coveredUntil(0, [w(30, 45), w(0, 15), w(15, 30)])).toBe(45)
    expect(coveredUntil(0, [w(0, 20), w(10, 30)])).toBe(30)
  })

  it('stops at the first hole, and at the start when the first document starts later', () => {
    expect(coveredUntil(0, [w(0, 15), w(30, 45)])).toBe(15)
    expect(coveredUntil(0, [w(15, 30)])).toBe(0)
    expect(coveredUntil(0, [])).toBe(0)
  })

  it('counts a document that starts before the window (a whole day around part of it)', () => {
    expect(coveredUntil(10, [w(0, 24)])).toBe(24)
  })
})
