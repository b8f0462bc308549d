import { initTRPC, TRPCError } from '@trpc/server'
import type { OpenApiMeta } from 'trpc-to-openapi'
import { z } from 'zod'
import { AppError, isAppError, type ErrorCode } from '../errors.ts'
import type { Logger } from '../logger.ts'
import type { Platform } from '../platform.ts'

/** What every procedure sees. Identity (principal, entitlements) joins it in the identity issue. */
export type Context = {
  platform: Platform
  log: Logger
  requestId: string
}

const TRPC_CODE: Record<ErrorCode, TRPCError['code']> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
}

/** Maps the one application error type onto tRPC's, keeping the AppError as the cause. */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error
  if (isAppError(error)) return new TRPCError({ code: TRPC_CODE[error.code], message: error.userMessage, cause: error })
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal error', cause: error })
}

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    errorFormatter({ shape, error }) {
      const app = error.cause instanceof AppError ? error.cause : undefined
      const zodError = error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null
      return {
        ...shape,
        message: error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal error' : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          appCode: app?.code ?? null,
          zodError,
        },
      }
    },
  })

/** Logs every call with its duration; expected failures at info, 5xx at error. */
const logged = t.middleware(async ({ ctx, path, type, next }) => {
  const started = performance.now()
  const result = await next()
  const ms = Math.round(performance.now() - started)
  const log = ctx.log.child({ procedure: path, type, ms })
  if (result.ok) log.debug('procedure ok')
  else if (result.error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: result.error.cause ?? result.error }, 'procedure failed')
  else log.info({ code: result.error.code }, 'procedure refused')
  return result
})

/** Converts AppError thrown by services into tRPC errors with the right status. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next()
  if (!result.ok && result.error.cause && isAppError(result.error.cause)) {
    throw toTRPCError(result.error.cause)
  }
  return result
})

export const router = t.router
export const createCallerFactory = t.createCallerFactory
export const publicProcedure = t.procedure.use(logged).use(appErrors)
