import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { sessionFor } from './support/browser.ts'

/**
 * What keeps the Lighthouse-scored chart pages light (issue 15), seen from the browser: the chart
 * code (recharts) is not among a page's scripts, the server's drawing stays until the browser must
 * draw, and then the chart is drawn at the box's width with working tooltips. Also the deferred
 * history table: skipped while off-screen, whole once scrolled to.
 */

const baseUrl = inject('baseUrl')
const NODE_PAGE = '/markets/MISO/nodes/INDIANA.HUB'
const CURVE_PAGE = '/curves/MISO/INDIANA.HUB'
/** The chunks of the chart drawings (price-chart-drawing.tsx, curve-chart-drawing.tsx): recharts comes with them. */
const DRAWING_CHUNK = /\/assets\/(price|curve)-chart-drawing-[\w-]+\.js$/
/** Lighthouse's mobile screen; a laptop on which the chart box is within 15 % of the server's 1200 px drawing. */
const PHONE = { width: 412, height: 823 }
const LAPTOP = { width: 1350, height: 940 }

let session: Awaited<ReturnType<typeof sessionFor>>
let page: Page
const errors: string[] = []
let scripts: string[] = []

beforeAll(async () => {
  session = await sessionFor(baseUrl, 'Alan Analyst')
  page = session.page
  page.setDefaultTimeout(30_000)
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`)
  })
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(request.url())
  })
})

afterAll(async () => {
  await session?.close()
})

/** Opens a page and waits until it is hydrated and its effects have run (the live stream is open on the node page). */
async function open(path: string, viewport: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(viewport)
  scripts = []
  const response = await page.goto(baseUrl + path)
  expect(response?.status()).toBe(200)
  await page.waitForLoadState('load')
}

/** The chart's SVG width attribute: 1200 for the server's drawing, the box's width once the browser drew it. */
function svgWidth(figure: string): Promise<number> {
  return page.locator(`${figure} svg.recharts-surface`).evaluate((svg) => Number(svg.getAttribute('width')))
}

describe('chart pages load without the chart code', () => {
  it('keeps the node chart the server drew on a phone until it scrolls into view, then draws it at the box width', async () => {
    await open(NODE_PAGE, PHONE)
    // Hydrated, effects run (the chart box's among them): the live stream is open.
    await page.locator('.live-indicator[data-state="live"]').waitFor()
    expect(await svgWidth('figure.chart')).toBe(1200)
    expect(scripts.filter((url) => DRAWING_CHUNK.test(url))).toEqual([])
    // The scaled-down drawing keeps the chart's full height, so nothing moves at the redraw.
    const box = page.locator('figure.chart .chart-box')
    const before = await box.boundingBox()
    expect(before?.height).toBeGreaterThanOrEqual(320)

    await box.scrollIntoViewIfNeeded()
    const boxWidth = await box.evaluate((el) => el.clientWidth)
    await page.waitForFunction((width) => document.querySelector('figure.chart svg.recharts-surface')?.getAttribute('width') === String(width), boxWidth)
    expect(scripts.some((url) => url.includes('/assets/price-chart-drawing-'))).toBe(true)
    expect((await box.boundingBox())?.height).toBeCloseTo(before?.height ?? 0, 0)
    expect(errors).toEqual([])
  })

  it('renders the history table once it is scrolled to (content-visibility), every row of the page', async () => {
    await open(NODE_PAGE, PHONE)
    const table = page.locator('table.history-table')
    const rowCount = await table.locator('tbody tr').count()
    expect(rowCount).toBeGreaterThan(24)
    await table.locator('tbody tr').last().scrollIntoViewIfNeeded()
    await table.locator('tbody tr').last().waitFor({ state: 'visible' })
    const heights = await table.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getBoundingClientRect().height))
    expect(heights.filter((h) => h === 0)).toEqual([])
    expect(errors).toEqual([])
  })

  it('keeps the curve chart on a laptop, and loads the chart code for a pointer: tooltips work', async () => {
    await open(CURVE_PAGE, LAPTOP)
    const figure = page.locator('figure.curve-chart')
    await figure.locator('svg.recharts-surface').waitFor()
    // Nothing asked for the drawing yet: the server's SVG is what shows.
    expect(await svgWidth('figure.curve-chart')).toBe(1200)

    const box = figure.locator('.chart-box')
    const area = await box.boundingBox()
    if (!area) throw new Error('the chart box has no size')
    // Measured before the pointer asks for the drawing: while the browser switches drawings the box is briefly another element.
    const boxWidth = await box.evaluate((el) => el.clientWidth)
    expect(boxWidth).toBeGreaterThan(320)
    // The pointer asks for the drawing; once the browser has drawn the chart, moving over it shows a tooltip.
    await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2)
    await page.waitForFunction((width) => document.querySelector('figure.curve-chart svg.recharts-surface')?.getAttribute('width') === String(width), boxWidth)
    await page.mouse.move(area.x + area.width / 2 + 20, area.y + area.height / 2)
    await figure.locator('.chart-tooltip').waitFor()
    expect(await figure.locator('.chart-tooltip').textContent()).toMatch(/\d{4}/)
    expect(scripts.some((url) => url.includes('/assets/curve-chart-drawing-'))).toBe(true)
    expect(await figure.locator('line.curve-quote').count()).toBe(Number(await figure.getAttribute('data-quotes')))
    expect(errors).toEqual([])
  })

  it('draws the chart after a client-side navigation (placeholder, then the chart)', async () => {
    await open('/', LAPTOP)
    await page.locator('table.board-table').first().getByRole('link', { name: 'INDIANA.HUB', exact: true }).click()
    await page.waitForURL((u) => u.pathname === NODE_PAGE)
    await page.locator('figure.chart svg.recharts-surface').waitFor()
    expect(await page.locator('figure.chart .chart-loading').count()).toBe(0)
    expect(errors).toEqual([])
  })
})
