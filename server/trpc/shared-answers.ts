import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { z } from 'zod'
import { deepFreeze } from '../freeze.ts'

const gzipAsync = promisify(gzip)

/**
 * Shared answers: the read caches (server/services/prices/read-cache.ts) hand every caller of the
 * same read the same deep-frozen object. What tRPC and the REST adapter do to an answer after the
 * procedure returns it (validate it against the output schema, serialize it) then gives the same
 * result every time, and for a year of hourly prices (8,760 points, 2.4 MB of JSON) it costs more
 * than everything before it: bench:api's profile showed zod's output parse and JSON.stringify at
 * about 70 % of the server's time. Both are done once per shared answer here.
 *
 * A frozen object is taken to be such an answer: nothing else in the server freezes what a
 * procedure returns, and a frozen value cannot have changed since it was validated.
 */
export function isSharedAnswer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.isFrozen(value)
}

/**
 * The output schema `schema` for `.output()`, for procedures that may answer from a read cache:
 * a shared answer is validated once and every later call gets the same (frozen) validated copy;
 * any other value is validated as by `schema` itself. The OpenAPI document and the procedure's
 * types see `schema` unchanged (a clone with the same definition and metadata).
 */
export function sharedAnswerOutput<T extends z.ZodType>(schema: T): T {
  const validated = new WeakMap<object, Promise<z.output<T>>>()
  const output = schema.clone() as T
  const meta = z.globalRegistry.get(schema)
  if (meta) z.globalRegistry.add(output, meta)
  const parseAsync = (value: unknown, params?: z.core.ParseContext<z.core.$ZodIssue>): Promise<z.output<T>> => {
    if (!isSharedAnswer(value)) return schema.parseAsync(value, params)
    let parsed = validated.get(value)
    if (!parsed) {
      parsed = schema.parseAsync(value, params).then((copy) => deepFreeze(copy))
      validated.set(value, parsed)
      // A value that failed stays failing, but its error is not kept alive by this map.
      parsed.catch(() => validated.delete(value))
    }
    return parsed
  }
  // tRPC validates outputs with parseAsync when the schema has it (getParseFn).
  Object.defineProperty(output, 'parseAsync', { value: parseAsync })
  return output
}

type Serialized = { json: Buffer; etag: string; gzip?: Promise<Buffer> }
const serialized = new WeakMap<object, Serialized>()

function serializedOf(answer: object): Serialized {
  let entry = serialized.get(answer)
  if (!entry) {
    const json = Buffer.from(JSON.stringify(answer), 'utf8')
    const etag = `"${createHash('sha256').update(json).digest('base64url').slice(0, 32)}"`
    serialized.set(answer, (entry = { json, etag }))
  }
  return entry
}

/** The JSON of a shared answer as UTF-8 bytes, serialized on the first call only. */
export function sharedAnswerJson(answer: object): Buffer {
  return serializedOf(answer).json
}

/** A strong validator of a shared answer's JSON (its SHA-256), for ETag / If-None-Match. */
export function sharedAnswerEtag(answer: object): string {
  return serializedOf(answer).etag
}

/**
 * The gzip of a shared answer's JSON, compressed once (in libuv's pool, off the event loop) on
 * the first call that asks for it: a year of hourly prices is 2.4 MB of JSON and about a tenth of
 * that compressed, which per request the compression middleware would compress again every time.
 */
export function sharedAnswerGzip(answer: object): Promise<Buffer> {
  const entry = serializedOf(answer)
  if (!entry.gzip) {
    entry.gzip = gzipAsync(entry.json, { level: 6 })
    entry.gzip.catch(() => (entry.gzip = undefined))
  }
  return entry.gzip
}
