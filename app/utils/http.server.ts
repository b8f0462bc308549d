import type { z } from 'zod'
import { isAppError } from '#server/errors.ts'

/**
 * Throws an HTTP response for an expected failure (epic-stack's invariantResponse): the route's
 * error boundary renders it by status.
 */
export function invariantResponse(condition: unknown, message: string, init: ResponseInit = { status: 400 }): asserts condition {
  if (!condition) {
    throw new Response(message, { ...init, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...init.headers } })
  }
}

/** Parses route params or query values with zod; a failure is a 400 (or the given status) naming the field. */
export function parseOr<T extends z.ZodType>(schema: T, input: unknown, status = 400): z.output<T> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const first = result.error.issues[0]
  const where = first?.path.length ? `${first.path.join('.')}: ` : ''
  throw new Response(`${where}${first?.message ?? 'invalid request'}`, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

/** Maps an AppError to a Response with its status and user message; anything else stays a 500. */
export function asResponse(error: unknown): unknown {
  if (isAppError(error)) {
    return new Response(error.userMessage, {
      status: error.status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    })
  }
  return error
}

/** Runs a service call; AppErrors become HTTP responses, everything else propagates as a 500. */
export async function orRespond<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    throw asResponse(error)
  }
}
