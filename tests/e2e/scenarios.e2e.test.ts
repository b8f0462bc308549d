import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { cookieHeader, launchBrowser, signIn } from './support/browser.ts'

/**
 * The scenario hub in Debian's Chromium against `carbon serve` (embedded stores, the house `base`
 * scenario seeded at start, the scenario worker in-process): write a scenario with an error, see it
 * underlined and listed with its suggestion as you type, fix it, save, run, wait for the run, see
 * the results, and compare with a run of base (assumption and price differences).
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()
/** A name no other test file's scenario has on the shared server. */
const NAME = `E2E high gas ${process.pid}`

type Session = { browser: Awaited<ReturnType<typeof launchBrowser>>; page: Page; errors: string[]; cookie: string }
let analyst: Session

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
  await signIn(page, baseUrl, 'Alan Analyst') // Prairie Trading: MISO and CAISO in the hub
  analyst = { browser, page, errors, cookie: await cookieHeader(browser.context, baseUrl) }
})

afterAll(async () => {
  await analyst?.browser.close()
})

/** Waits until the run page shows the run as done (it polls while queued or running); a failed run fails the test with its reason. */
async function waitForDoneRun(page: Page): Promise<string> {
  await page.waitForURL((u) => /^\/scenarios\/runs\/[0-9a-f]{32}$/.test(u.pathname))
  const shell = page.locator('.scenario-run-page')
  await shell.and(page.locator('[data-status="done"], [data-status="failed"]')).waitFor({ timeout: 90_000 })
  if ((await shell.getAttribute('data-status')) === 'failed') {
    throw new Error(`run failed: ${await page.locator('.scenario-run-failed').textContent()}`)
  }
  return (await shell.getAttribute('data-run'))!
}

/** The numbers of a table column (formatted prices and changes: thousands separators, a real minus sign). */
async function columnNumbers(page: Page, selector: string, column: number): Promise<number[]> {
  const cells = await page.locator(`${selector} tbody tr`).evaluateAll(
    (rows, i) => rows.map((row) => (row.querySelectorAll('th, td')[i]?.textContent ?? '').trim()),
    column,
  )
  return cells.map((text) => Number(text.replace(/,/g, '').replace(/\u2212/g, '-').replace(/[^\d.+-]/g, '')))
}

describe('scenarios in the hub', () => {
  let baseRun = ''
  let scenarioPath = ''

  it('lists the house base scenario from the main nav, and runs it', async () => {
    const { page } = analyst
    await page.goto(url('/'))
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scenarios' }).click()
    await page.waitForURL((u) => u.pathname === '/scenarios')
    await page.getByRole('heading', { level: 1, name: 'Scenarios' }).waitFor()
    const base = page.locator('tr[data-scenario="base"]')
    expect(await base.locator('td').nth(1).textContent()).toBe('House')
    await base.getByRole('link', { name: 'base' }).click()
    await page.waitForURL((u) => /^\/scenarios\/[0-9a-f-]{36}$/.test(u.pathname))
    await page.locator('.scenario-editor[data-editor="codemirror"]').waitFor()
    // A house scenario is read only: Run, no Save.
    expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0)
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    baseRun = await waitForDoneRun(page)
    expect(analyst.errors).toEqual([])
  })

  it('server-renders the editor as a plain textarea holding the text', async () => {
    const res = await fetch(url('/scenarios/new'), { headers: { cookie: analyst.cookie } })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toMatch(/<textarea[^>]*name="text"[^>]*>scenario &quot;My scenario&quot; extends &quot;base&quot;/)
  })

  it('without JavaScript, a save of a text with an error comes back with the problem listed and the text kept', async () => {
    const text = `scenario "${NAME} plain" extends "base"\nset fuel.gaz = 5 $/MMBtu\n`
    const res = await fetch(url('/scenarios/new'), {
      method: 'POST',
      headers: { cookie: analyst.cookie, origin: new URL(baseUrl).origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ text, intent: 'save' }).toString(),
    })
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toMatch(/<li class="scenario-problem" data-line="2" data-col="5">/)
    expect(html).toContain('did you mean fuel.gas?')
    expect(html).toContain('set fuel.gaz = 5 $/MMBtu')
  })

  it('shows an error inline as you type, with its suggestion; fixed, saved, run and compared with base', async () => {
    const { page } = analyst
    await page.goto(url('/scenarios'))
    await page.getByRole('link', { name: 'New scenario' }).click()
    await page.waitForURL((u) => u.pathname === '/scenarios/new')
    await page.locator('.scenario-editor[data-editor="codemirror"]').waitFor()

    // Type a scenario with a misspelled target.
    // The editor is a textbox named by its label (CodeMirror's content element).
    const content = page.getByRole('textbox', { name: 'Scenario text' })
    expect(await content.getAttribute('class')).toContain('cm-content')
    await content.click()
    await page.keyboard.press('Control+A')
    await page.keyboard.press('Delete')
    await page.keyboard.type(`scenario "${NAME}" extends "base"\nset fuel.g`)
    // Suggestions while typing: the language's targets starting with the word; Escape closes them.
    const suggestions = page.getByRole('listbox', { name: 'Suggestions' })
    await suggestions.waitFor()
    const suggested = await suggestions.getByRole('option').evaluateAll((options) => options.map((o) => (o as HTMLElement).dataset.label))
    expect(suggested).toEqual(['fuel.gas', 'fuel.gas.basis.MISO', 'fuel.gas.basis.CAISO'])
    await page.keyboard.press('Escape')
    await suggestions.waitFor({ state: 'detached' })
    await page.keyboard.type('az = 5 $/MMBtu')

    // The linter underlines it and the list names line, column and the suggestion.
    const problem = page.locator('.scenario-problem')
    await problem.filter({ hasText: 'unknown target fuel.gaz; did you mean fuel.gas?' }).waitFor()
    expect(await problem.count()).toBe(1)
    expect(await problem.getAttribute('data-line')).toBe('2')
    expect(await problem.getAttribute('data-col')).toBe('5')
    expect(await problem.locator('.scenario-problem-message').textContent()).toContain('fuel.gaz')
    await page.locator('.scenario-editor .cm-lintRange-error').first().waitFor()
    expect(await page.locator('.scenario-editor .cm-lintRange-error').textContent()).toBe('fuel.gaz')

    // Jump to it from the list (selects the token) and type the fix over it, taking the suggestion with Enter.
    await problem.getByRole('button').click()
    await page.keyboard.type('fuel.g')
    await suggestions.waitFor()
    await page.keyboard.press('Enter')
    await page.locator('.scenario-problems-ok').waitFor()
    expect(await page.locator('.scenario-editor .cm-lintRange-error').count()).toBe(0)

    // Save: the scenario's page, version 1.
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.waitForURL((u) => /^\/scenarios\/[0-9a-f-]{36}$/.test(u.pathname))
    await page.getByRole('heading', { level: 1, name: new RegExp(NAME) }).waitFor()
    expect(await page.locator('.page').getAttribute('data-version')).toBe('1')
    scenarioPath = new URL(page.url()).pathname
    expect(await page.locator('table.scenario-versions tbody tr').count()).toBe(1)
    await page.locator('.scenario-editor[data-editor="codemirror"]').waitFor()
    expect(await page.locator('.scenario-editor .cm-content').textContent()).toContain('set fuel.gas = 5 $/MMBtu')

    // Run: the run page polls until done, then shows the results.
    await page.getByRole('button', { name: 'Save and run' }).click()
    const runId = await waitForDoneRun(page)
    expect(runId).not.toBe(baseRun)
    const chart = page.locator('figure.scenario-price-chart')
    await chart.locator('svg.recharts-surface path.recharts-line-curve').first().waitFor()
    expect(Number(await chart.getAttribute('data-months'))).toBeGreaterThan(12 * 20)
    await page.locator('figure.scenario-mix-chart svg.recharts-surface').waitFor()
    await page.locator('figure.scenario-capacity-chart svg.recharts-surface').waitFor()
    const years = await page.locator('table.scenario-annual tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-year'))))
    expect(years.at(-1)).toBe(2050)
    const onpeak = await columnNumbers(page, 'table.scenario-annual', 1)
    for (const value of onpeak) expect(Number.isFinite(value) && value > 0, String(value)).toBe(true)
    // Lineage: this scenario's version, then base.
    const chain = await page.locator('.lineage-chain .lineage-link').evaluateAll((items) => items.map((i) => i.getAttribute('data-scenario')))
    expect(chain).toEqual([NAME, 'base'])
    expect(await page.locator('[data-run-id]').textContent()).toBe(runId)

    // Compare with the base run: gas differs, and so do prices.
    await page.locator('#compare-with').selectOption(baseRun)
    await page.getByRole('button', { name: 'Compare' }).click()
    await page.waitForURL((u) => u.pathname === '/scenarios/compare')
    const gas = page.locator('table.scenario-assumptions tr[data-target="fuel.gas"]')
    await gas.waitFor()
    // Columns: base (the run compared against), then this scenario; changes are this scenario minus base.
    expect(await page.locator('.scenario-compare-page').getAttribute('data-a')).toBe(baseRun)
    expect(await page.locator('.scenario-compare-page').getAttribute('data-b')).toBe(runId)
    expect(await gas.locator('td').nth(1).textContent()).toContain('fuel.gas = 5 $/MMBtu')
    expect(await gas.locator('td').nth(0).textContent()).not.toContain('fuel.gas = 5 $/MMBtu')
    await page.locator('figure.scenario-delta-chart svg.recharts-surface').waitFor()
    const changes = await columnNumbers(page, 'table.scenario-delta-table', 3)
    expect(changes.length).toBeGreaterThan(20)
    expect(Math.max(...changes.map(Math.abs))).toBeGreaterThan(0.01)
    expect(analyst.errors).toEqual([])
  })

  it('runs the saved scenario as a seeded Monte Carlo and draws the P10-P90 band, with draws and seed in the lineage', async () => {
    const { page } = analyst
    expect(scenarioPath).toMatch(/^\/scenarios\/[0-9a-f-]{36}$/)
    await page.goto(url(scenarioPath))
    await page.locator('.scenario-editor[data-editor="codemirror"]').waitFor()
    await page.getByLabel('Monte Carlo (P10–P90 bands)').check()
    await page.getByLabel('Draws').fill('20')
    await page.getByLabel('Seed').fill('7')
    await page.getByRole('button', { name: 'Save and run' }).click()
    await waitForDoneRun(page)
    const chart = page.locator('figure.scenario-price-chart')
    expect(await chart.getAttribute('data-bands')).toBe('yes')
    expect(await chart.locator('.scenario-band path.recharts-area-area').getAttribute('d')).toMatch(/^M.+Z$/)
    expect(await page.locator('.lineage-facts').textContent()).toContain('Monte Carlo · 20 draws · seed 7')
    expect(analyst.errors).toEqual([])
  })
})
