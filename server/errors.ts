/**
 * The one error type. `code` is stable for clients, `message` is for logs, `userMessage` is safe
 * to show, `status` is the HTTP status it maps to.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const
export type ErrorCode = keyof typeof ERROR_STATUS

/**
 * The brand every AppError carries. The hub's server build bundles its own copy of this module,
 * while the process (`carbon serve` through tsx or dist/) has another: the platform's adapters
 * throw the process's AppError into bundled code. A global symbol lets `instanceof AppError` hold
 * across both copies (Symbol.hasInstance below), so such an error keeps its status instead of
 * turning into a 500.
 */
const APP_ERROR_BRAND = Symbol.for('carbon.AppError')

export class AppError extends Error {
  readonly [APP_ERROR_BRAND] = true
  readonly code: ErrorCode
  readonly status: number
  readonly userMessage: string
  readonly details?: Record<string, unknown>

  constructor(
    code: ErrorCode,
    message: string,
    options: { userMessage?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.status = ERROR_STATUS[code]
    this.userMessage = options.userMessage ?? message
    this.details = options.details
  }

  static notFound(what: string, details?: Record<string, unknown>) {
    return new AppError('NOT_FOUND', `${what} not found`, { details })
  }

  static badRequest(message: string, details?: Record<string, unknown>) {
    return new AppError('BAD_REQUEST', message, { details })
  }

  /** An AppError of any copy of this module (see APP_ERROR_BRAND). AppError has no subclasses. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [APP_ERROR_BRAND]?: unknown })[APP_ERROR_BRAND] === true
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError
}
