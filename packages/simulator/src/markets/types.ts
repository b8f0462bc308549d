/**
 * How the simulator serves the markets added after the pilot: each market's module
 * (`markets/<market>.ts`) lists routes, each the URL shape of one publisher feed. A route answers a
 * request it recognises with the publisher's bytes (or the publisher's own refusal: 404 before
 * publication, its error document, 401 without credentials) from the shared price model; the
 * server applies the failure plan of the route's feed around it (503, an HTML page, an empty or
 * truncated body) and logs the request.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { FailureMode, FeedId } from '../failures.ts'
import type { PriceModel } from '../prices.ts'

/** A GET (or HEAD) to the simulator: its path (percent-decoded segments not decoded), query and headers. */
export type SimRequest = { path: string; params: URLSearchParams; headers: IncomingHttpHeaders }

/** What the route answers: status, content type, the whole body, extra headers. */
export type SimAnswer = { status: number; type: string; body: string | Uint8Array; headers?: Record<string, string> }

/** What a route may read: the price model, the simulated clock (ms) and the seed. */
export type SimContext = { model: PriceModel; now: number; seed: number }

export type MarketRoute = {
  /** The source id of the feed (what failure rules and the request log name). */
  feed: FeedId
  /**
   * The answer to `request`, or null when the request is not this route's (another route or a
   * 404 answers it). `published` is false when the route answered the publisher's refusal for a
   * file not out yet: failures are not applied to those.
   */
  answer(request: SimRequest, context: SimContext): Promise<(SimAnswer & { published: boolean }) | null> | (SimAnswer & { published: boolean }) | null
  /**
   * The answer broken the way `mode` says, for the modes that depend on the format
   * (`changed-header`, `non-numeric`, `unknown-node`, `duplicate-edges`); null when the route
   * cannot apply `mode`. The server itself applies `server-error`, `html`, `empty`,
   * `not-published`, `truncated` and (zips) `corrupt-zip`.
   */
  breakAnswer?(answer: SimAnswer, mode: FailureMode, context: SimContext): SimAnswer | null
}
