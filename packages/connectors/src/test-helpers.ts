/** Shared by this package's tests (not exported from the package). */
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { XlsParseError } from './eia/xls-error.ts'
import { ParseError } from './errors.ts'
import { FIXTURE_DIR } from './fixtures.ts'

/** A publisher file from this package's fixtures/iso, as text. */
export const readFixture = (name: string): string => readFileSync(new URL(name, FIXTURE_DIR), 'utf8')

/** The ParseError `fn` throws (fails the test when it throws something else or nothing). */
export function thrown(fn: () => unknown): ParseError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError)
    return error as ParseError
  }
  throw new Error('expected a ParseError')
}

/** The XlsParseError (a ParseError naming sheet, row and column) `fn` throws; fails the test on anything else or nothing. */
export function xlsError(fn: () => unknown): XlsParseError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(XlsParseError)
    expect(error).toBeInstanceOf(ParseError)
    return error as XlsParseError
  }
  throw new Error('expected an XlsParseError')
}
