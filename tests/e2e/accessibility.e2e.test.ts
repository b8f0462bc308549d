import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Page } from 'playwright-core'
import { lighthouseAxeViolations, type AxeViolation } from './support/axe.ts'
import { sessionFor } from './support/browser.ts'

/**
 * The hub pages that Lighthouse scores (issue 15): the overview, a node page and a curve page,
 * signed in, checked with axe-core under the rules of Lighthouse's accessibility category, on
 * Lighthouse's mobile viewport and on a desktop one. Any violation fails, so a colour that
 * loses contrast or a link told apart by colour alone is caught before a Lighthouse run.
 */

const baseUrl = inject('baseUrl')
const PAGES = ['/', '/markets/MISO/nodes/INDIANA.HUB', '/curves/MISO/INDIANA.HUB'] as const
/** Lighthouse's default (mobile) screen, then a laptop's. */
const VIEWPORTS = [
  { name: 'mobile', width: 412, height: 823 },
  { name: 'desktop', width: 1350, height: 940 },
] as const

let session: Awaited<ReturnType<typeof sessionFor>>
let page: Page

beforeAll(async () => {
  session = await sessionFor(baseUrl, 'Alan Analyst')
  page = session.page
})

afterAll(async () => {
  await session?.close()
})

/** One line per failing node, so the assertion's diff names the rule and the element. */
function describeViolations(violations: AxeViolation[]): string[] {
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${v.help})`))
}

describe('accessibility of the Lighthouse-scored hub pages (axe-core, Lighthouse rules)', () => {
  for (const viewport of VIEWPORTS) {
    for (const path of PAGES) {
      it(`${path} has no violations on ${viewport.name}`, async () => {
        await page.setViewportSize({ width: viewport.width, height: viewport.height })
        const response = await page.goto(baseUrl + path)
        expect(response?.status()).toBe(200)
        // Hydrated and settled: what Lighthouse audits is the page after load.
        await page.waitForLoadState('load')
        expect(describeViolations(await lighthouseAxeViolations(page))).toEqual([])
      })
    }
  }
})
