import { pino, type Logger } from 'pino'
import { getEnv } from './env.ts'

export type { Logger }

/** Paths pino censors in every log line: credentials of users and of the publishers. */
export const REDACT = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  // The publishers' keys and credentials (ConnectorConfig), wherever a config object is logged.
  'misoDataExchangeKey',
  '*.misoDataExchangeKey',
  'pjmKey',
  '*.pjmKey',
  'aesoKey',
  '*.aesoKey',
  'isoneCredentials',
  '*.isoneCredentials',
  'eiaKey',
  '*.eiaKey',
]

let root: Logger | undefined
/** The process logger: one pino instance, children per request/component. */
export function getLogger(): Logger {
  root ??= pino({ level: getEnv().LOG_LEVEL, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'carbon' } })
  return root
}
