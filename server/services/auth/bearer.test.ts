import { describe, expect, it } from 'vitest'
import { isApiToken, looksLikeJwt } from './bearer.ts'

const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIn0.eyJzdWIiOiJzdmMiLCJhdWQiOiJjYXJib24tYXBpIn0.c2lnbmF0dXJlLWJ5dGVz'
const PAT = 'cbn_Ab3De5Gh7J_0123456789abcdefghijABCDEFGHIJ01'

describe('bearer value routing', () => {
  it('recognizes JWTs, including unsigned ones (refused later, by the verifier)', () => {
    expect(looksLikeJwt(JWT)).toBe(true)
    expect(looksLikeJwt('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).toBe(true)
    for (const value of ['', PAT, 'abc.def.ghi', 'eyJ.', 'eyJhbGciOiJSUzI1NiJ9..sig', `${JWT}.extra`, `${JWT} `, 'eyJ a.b.c']) {
      expect(looksLikeJwt(value), value).toBe(false)
    }
  })

  it('recognizes personal access tokens by their exact format', () => {
    expect(isApiToken(PAT)).toBe(true)
    for (const value of ['', JWT, 'cbn_Ab3De5Gh7J', `${PAT}2`, PAT.slice(0, -1), PAT.replace('cbn_', 'cbx_'), PAT.replace('_0', '-0'), `${PAT}\n`]) {
      expect(isApiToken(value), value).toBe(false)
    }
    expect(looksLikeJwt(PAT) && isApiToken(JWT)).toBe(false)
  })
})
