/** A scripted local HTTP server for this folder's tests (not exported from the package). */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Handler = (req: IncomingMessage, res: ServerResponse, count: number) => void
export type Seen = { path: string; headers: IncomingHttpHeaders }

export type TestServer = {
  url: string
  /** Every request received, in order. */
  seen: Seen[]
  /** Answers requests for `path` (pathname + search); `count` is 1 for the first request of that path. */
  on(path: string, handler: Handler): void
  close(): Promise<void>
}

export async function startTestServer(): Promise<TestServer> {
  const handlers = new Map<string, Handler>()
  const counts = new Map<string, number>()
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    seen.push({ path, headers: req.headers })
    const count = (counts.get(path) ?? 0) + 1
    counts.set(path, count)
    const handler = handlers.get(path)
    if (handler) handler(req, res, count)
    else res.writeHead(599, { 'Content-Type': 'text/plain' }).end(`no handler for ${path}`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    on: (path, handler) => void handlers.set(path, handler),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

/** An answer: status, headers, body. */
export function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Uint8Array = ''): void {
  res.writeHead(status, headers).end(typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body))
}
