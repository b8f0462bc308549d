import { z } from 'zod'
import { deepFreeze } from '../freeze.ts'

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

const serialized = new WeakMap<object, Buffer>()

/** The JSON of a shared answer as UTF-8 bytes, serialized on the first call only. */
export function sharedAnswerJson(answer: object): Buffer {
  let bytes = serialized.get(answer)
  if (!bytes) serialized.set(answer, (bytes = Buffer.from(JSON.stringify(answer), 'utf8')))
  return bytes
}
