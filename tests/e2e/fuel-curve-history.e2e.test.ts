import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parseCsv } from '../support/csv.ts'
import { cookieHeader, launchBrowser, signIn } from './support/browser.ts'

/**
 * A fuel curve's history in Chromium against `carbon serve`: an analyst builds the Opal gas curve
 * through the hub's form on two as-of dates (the later one twice), then the page shows any as-of
 * date and version, compares with another (the change per period in the table, a dashed line on
 * the chart) through its GET pickers and version links, and the CSV honours `asOf` and `version`.
 * The builds are the 254Carbon organization's own, so no other test's view of Opal changes.
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()
const CURVE = '/gas/curves/OPAL'

type Session = { browser: Awaited<ReturnType<typeof launchBrowser>>; page: Page; errors: string[]; cookie: string }
let ada: Session

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)
const EARLIER = daysAgo(20)
const LATER = daysAgo(6)
const YEAR = new Date().getUTCFullYear() + 1

/** Single-month quotes reprice exactly: the monthly view shows January at `january`. */
const quotesCsv = (january: number) => ['contract,price,bid,ask', `${YEAR}-01,${january},,`, `${YEAR}-02,2.950,,`, `${YEAR}-Q2,2.400,,`, `Cal-${YEAR + 1},2.800,,`].join('\n')

beforeAll(async () => {
  const browser = await launchBrowser()
  const errors: string[] = []
  browser.context.on('weberror', (e) => errors.push(`pageerror: ${e.error().message}`))
  browser.context.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`)
  })
  const page = await browser.context.newPage()
  page.setDefaultTimeout(30_000)
  await page.setViewportSize({ width: 1440, height: 900 })
  await signIn(page, baseUrl, 'Ada Admin') // analyst and admin of 254Carbon: GAS in the hub and as downloads
  ada = { browser, page, errors, cookie: await cookieHeader(browser.context, baseUrl) }
})

afterAll(async () => {
  await ada?.browser.close()
})

async function tableRows(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('th, td')).map((cell) => (cell.textContent ?? '').trim())),
  )
}

/** Builds a version through the page's form and waits for the page of the new build. */
async function buildThroughForm(asOf: string, january: number, version: number) {
  const { page } = ada
  await page.goto(url(CURVE))
  await page.locator('#fuel-build-as-of').fill(asOf)
  await page.locator('#fuel-build-quotes').fill(quotesCsv(january))
  await page.getByRole('button', { name: 'Build curve' }).click()
  await page.waitForURL((u) => u.pathname === CURVE && u.searchParams.get('asOf') === asOf)
  await page.locator(`.page[data-as-of="${asOf}"][data-version="${version}"]`).waitFor()
}

const pageAttr = (name: string) => ada.page.locator('.page[data-as-of]').getAttribute(name)
/** After a client-side navigation: the page of that build (and comparison) has rendered. */
const shown = (selector: string) => ada.page.locator(`.page${selector}`).waitFor()
const periodRow = async (period: string) => (await tableRows(ada.page, 'table.fuel-curve-periods')).find((r) => r[0] === period)!

describe('the as-of and version pickers', () => {
  it('builds Opal on two as-of dates, the later one twice, each shown at once', async () => {
    await buildThroughForm(EARLIER, 3.1, 1)
    await buildThroughForm(LATER, 3.25, 1)
    await buildThroughForm(LATER, 3.4, 2)
    expect(ada.errors).toEqual([])
  })

  it('shows the newest version by default, with both dates to pick and the versions of the shown date as links', async () => {
    const { page } = ada
    await page.goto(url(`${CURVE}?granularity=monthly`))
    expect(await pageAttr('data-as-of')).toBe(LATER)
    expect(await pageAttr('data-version')).toBe('2')
    const dates = await page.locator('form.fuel-as-of-form select[name="asOf"] option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value))
    expect(dates).toEqual([LATER, EARLIER])
    expect((await periodRow(`${YEAR}-01`))[2]).toBe('3.400')

    // An earlier version through its link: the rest of the query stays.
    await page.locator('nav[aria-label="Version"]').getByRole('link', { name: 'v1' }).click()
    await page.waitForURL((u) => u.searchParams.get('version') === '1' && u.searchParams.get('granularity') === 'monthly')
    await shown(`[data-as-of="${LATER}"][data-version="1"]`)
    expect((await periodRow(`${YEAR}-01`))[2]).toBe('3.250')

    // The earlier date through the as-of picker (applied at once with JavaScript): its newest version.
    await page.locator('form.fuel-as-of-form select[name="asOf"]').selectOption(EARLIER)
    await page.waitForURL((u) => u.searchParams.get('asOf') === EARLIER)
    expect(new URL(page.url()).searchParams.has('version')).toBe(false)
    await shown(`[data-as-of="${EARLIER}"][data-version="1"]`)
    expect((await periodRow(`${YEAR}-01`))[2]).toBe('3.100')
    expect(ada.errors).toEqual([])
  })
})

describe('compare with', () => {
  it('opens ?asOf=…&compare=… with the change per period and the compared build drawn dashed', async () => {
    const { page } = ada
    await page.goto(url(`${CURVE}?asOf=${LATER}&compare=${EARLIER}&granularity=monthly`))
    expect(await pageAttr('data-compare-as-of')).toBe(EARLIER)
    expect(await pageAttr('data-compare-version')).toBe('1')
    const headers = await page.locator('table.fuel-curve-periods thead th').allTextContents()
    expect(headers).toEqual(['Period', 'Months', 'Price', 'Days', `${EARLIER} v1`, 'Change'])
    expect(await periodRow(`${YEAR}-01`)).toEqual([`${YEAR}-01`, `${YEAR}-01`, '3.400', '31', '3.100', '+0.300'])
    expect((await periodRow(`${YEAR}-02`)).slice(4)).toEqual(['2.950', '0.000'])
    expect(await page.locator(`tr[data-period="${YEAR}-01"] td[data-change]`).getAttribute('class')).toContain('pos')
    expect(await page.locator('table.fuel-curve-periods caption').textContent()).toContain(`change against ${EARLIER} (v1)`)
    const chart = page.locator('figure.curve-chart')
    expect(await chart.getAttribute('data-compare')).toBe('true')
    expect(await chart.locator('[data-compare-label]').textContent()).toBe(`As of ${EARLIER} v1`)
    await chart.locator('.curve-line-compare path.recharts-line-curve').waitFor()
    expect(await chart.locator('.curve-line-value path.recharts-line-curve').count()).toBe(1)
    expect(ada.errors).toEqual([])
  })

  it('compares the shown date with its other version through the picker, keeping the shown version', async () => {
    const { page } = ada
    await page.goto(url(`${CURVE}?asOf=${LATER}&version=1&granularity=monthly`))
    const choices = await page.locator('form.fuel-compare-form select[name="compare"] option').allTextContents()
    expect(choices).toEqual(['None', `${LATER} (another version)`, EARLIER])
    await page.locator('form.fuel-compare-form select[name="compare"]').selectOption(LATER)
    await page.waitForURL((u) => u.searchParams.get('compare') === LATER)
    expect(new URL(page.url()).searchParams.get('version')).toBe('1')
    await shown(`[data-version="1"][data-compare-as-of="${LATER}"][data-compare-version="2"]`)
    expect((await periodRow(`${YEAR}-01`)).slice(2)).toEqual(['3.250', '31', '3.400', '−0.150'])
    expect(await page.locator(`tr[data-period="${YEAR}-01"] td[data-change]`).getAttribute('class')).toContain('neg')

    // None takes the comparison away again.
    await page.locator('form.fuel-compare-form select[name="compare"]').selectOption('')
    await page.waitForURL((u) => !u.searchParams.get('compare'))
    await shown(':not([data-compare-as-of])')
    expect(await page.locator('table.fuel-curve-periods thead th').allTextContents()).toEqual(['Period', 'Months', 'Price', 'Days'])
    expect(await page.locator('figure.curve-chart').getAttribute('data-compare')).toBeNull()
    expect(ada.errors).toEqual([])
  })

  it('serves pickers that work without JavaScript: GET forms carrying the other choices', async () => {
    const res = await fetch(url(`${CURVE}?asOf=${LATER}&version=1&compare=${EARLIER}&granularity=quarterly`), { headers: { cookie: ada.cookie } })
    expect(res.status).toBe(200)
    const html = await res.text()
    /** A form's markup (its tag and content), found by its class; it must be a GET form. */
    const form = (name: string) => {
      const markup = html.split('<form').find((chunk) => chunk.slice(0, chunk.indexOf('>')).includes(name))?.split('</form>')[0] ?? ''
      expect(markup.slice(0, markup.indexOf('>')), name).toContain('method="get"')
      return markup
    }
    const asOfForm = form('fuel-as-of-form')
    expect(asOfForm).toContain('name="asOf"')
    expect(asOfForm).toContain('<input type="hidden" name="granularity" value="quarterly"/>')
    expect(asOfForm).toContain(`<input type="hidden" name="compare" value="${EARLIER}"/>`)
    expect(asOfForm).not.toContain('name="version"')
    const compareForm = form('fuel-compare-form')
    expect(compareForm).toContain('name="compare"')
    expect(compareForm).toContain(`<input type="hidden" name="asOf" value="${LATER}"/>`)
    expect(compareForm).toContain('<input type="hidden" name="version" value="1"/>')
    // What the compare form submits without JavaScript is a page of its own.
    const submitted = await fetch(url(`${CURVE}?asOf=${LATER}&version=1&granularity=quarterly&compare=${EARLIER}`), { headers: { cookie: ada.cookie } })
    expect(await submitted.text()).toContain(`data-compare-as-of="${EARLIER}"`)
  })

  it('audits the shown build and the compared one', async () => {
    const requestId = `fuel-history-${randomUUID()}`
    const res = await fetch(url(`${CURVE}?asOf=${LATER}&compare=${EARLIER}`), { headers: { cookie: ada.cookie, 'x-request-id': requestId } })
    expect(res.status).toBe(200)
    const audit = await fetch(url('/admin/audit.csv?procedure=hub:gas-curve'), { headers: { cookie: ada.cookie } })
    const [header, ...rows] = parseCsv(await audit.text())
    const row = rows.find((r) => r[header!.indexOf('request_id')] === requestId)
    expect(row, 'the page view has its audit row').toBeDefined()
    expect(row![header!.indexOf('market')]).toBe('GAS')
    const details = JSON.parse(row![header!.indexOf('details')]!) as Record<string, unknown>
    expect(details).toMatchObject({ asOf: LATER, version: 2, compare: { asOf: EARLIER, version: 1 } })
  })
})

describe('the CSV of a build', () => {
  const csv = (search: string) => fetch(url(`${CURVE}.csv${search}`), { headers: { cookie: ada.cookie } })
  const january = (text: string) => parseCsv(text).find((r) => r[0] === `${YEAR}-01`)?.[5]

  it('honours asOf and version, and the page links the CSV of the build it shows', async () => {
    const earlier = await csv(`?asOf=${EARLIER}&granularity=monthly`)
    expect(earlier.status).toBe(200)
    expect(earlier.headers.get('content-disposition')).toContain(`GAS_OPAL_${EARLIER}_v1_monthly.csv`)
    expect(Number(january(await earlier.text()))).toBeCloseTo(3.1, 9)
    const v1 = await csv(`?asOf=${LATER}&version=1&granularity=monthly`)
    expect(v1.headers.get('content-disposition')).toContain(`GAS_OPAL_${LATER}_v1_monthly.csv`)
    expect(Number(january(await v1.text()))).toBeCloseTo(3.25, 9)
    const latest = await csv('?granularity=monthly')
    expect(latest.headers.get('content-disposition')).toContain(`GAS_OPAL_${LATER}_v2_monthly.csv`)

    const { page } = ada
    await page.goto(url(`${CURVE}?asOf=${LATER}&version=1&compare=${EARLIER}`))
    expect(await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe(`${CURVE}.csv?asOf=${LATER}&version=1`)
  })

  it('answers a version or date without a build with 404, and a malformed one with 400 naming the field', async () => {
    const missing = await csv(`?asOf=${LATER}&version=9`)
    expect(missing.status).toBe(404)
    expect(await missing.text()).toContain(`Build 9 of the Opal gas curve as of ${LATER}`)
    const page = await fetch(url(`${CURVE}?compare=${daysAgo(400)}`), { headers: { cookie: ada.cookie } })
    expect(page.status).toBe(404)
    const malformed = await fetch(url(`${CURVE}?asOf=${LATER}&version=two`), { headers: { cookie: ada.cookie } })
    expect(malformed.status).toBe(400)
    expect(await malformed.text()).toContain('version')
  })
})
