import { describe, expect, it } from 'vitest'
import type * as ErrorsModule from './errors.ts'
import { AppError, isAppError } from './errors.ts'

describe('AppError across copies of its module', () => {
  it('is recognised when another copy of the module made it (the hub bundle and the process each load one)', async () => {
    // A query string makes the module loader evaluate the file again: a second AppError class.
    const specifier = './errors.ts?second-copy'
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof ErrorsModule
    expect(copy.AppError).not.toBe(AppError)
    const foreign = new copy.AppError('BAD_REQUEST', 'Invalid object key "raw/x/..": must not contain ".."')
    expect(foreign instanceof AppError).toBe(true)
    expect(isAppError(foreign)).toBe(true)
    expect(new AppError('NOT_FOUND', 'x') instanceof copy.AppError).toBe(true)
  })

  it('is not any other error or object', () => {
    expect(new Error('x') instanceof AppError).toBe(false)
    expect({ code: 'BAD_REQUEST', status: 400, name: 'AppError' } instanceof AppError).toBe(false)
    expect(isAppError(null)).toBe(false)
    expect(isAppError('AppError')).toBe(false)
  })
})
