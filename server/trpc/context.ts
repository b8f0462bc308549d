import { randomUUID } from 'node:crypto'
import { getPlatform } from '../platform.ts'
import type { Context } from './trpc.ts'

/** Builds the procedure context of one HTTP request (hub, SDK or REST). */
export async function createContext(req: Request): Promise<Context> {
  const platform = await getPlatform()
  const requestId = req.headers.get('x-request-id') ?? randomUUID()
  return { platform, requestId, log: platform.log.child({ requestId }) }
}
