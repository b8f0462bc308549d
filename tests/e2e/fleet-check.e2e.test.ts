import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { launchBrowser, signIn } from './support/browser.ts'

/**
 * The fleet check against EIA-860M on the scenario editor pages, in Debian's Chromium against
 * `carbon serve` (embedded stores; at first start the demo stores generated EIA-860M inventories of
 * August and September 2026, server/services/demo/capacity.ts: MISO and CISO fleets of the size of
 * the base scenario's, but for a few designed gaps, and the oil, biomass, landfill gas and
 * geothermal units the model has no technology for). A new scenario extends base, so its fleet in
 * 2026-10 is the base scenario's: base data, announced retirements and base's builds, and the check
 * suggests exactly the designed statements. "Add to scenario" appends a statement to the editor's
 * text; saved, the scenario's own page checks that version and finds the gap closed; with every
 * statement added the market's fleet matches the inventory.
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()
/** A name no other test file's scenario has on the shared server. */
const NAME = `E2E fleet check ${process.pid}`
/** The demo inventory's designed gaps (capacity.ts DEMO_FLEET_GAPS), as the check words them. */
const COAL = 'retire coal 1200 MW in MISO at 2026-10'
const MISO_STATEMENTS = ['build wind 800 MW in MISO at 2026-10', 'retire gas_ct 450 MW in MISO at 2026-10', COAL]
const CAISO_STATEMENTS = ['build solar 1100 MW in CAISO at 2026-10', 'retire storage 1500 MW in CAISO at 2026-10', 'retire gas_ct 300 MW in CAISO at 2026-10']

let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page
const errors: string[] = []

beforeAll(async () => {
  browser = await launchBrowser()
  browser.context.on('weberror', (e) => errors.push(`pageerror: ${e.error().message}`))
  browser.context.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`)
  })
  page = await browser.context.newPage()
  page.setDefaultTimeout(30_000)
  await page.setViewportSize({ width: 1440, height: 900 })
  await signIn(page, baseUrl, 'Alan Analyst') // Prairie Trading: MISO and CAISO in the hub
})

afterAll(async () => {
  await browser?.close()
})

const market = (m: string) => page.locator(`section.fleet-check .fleet-check-market[data-market="${m}"]`)

/** Reloads `path` until the MISO inventory of the demo is shown (the demo stores its series while the server starts). */
async function openWithInventory(path: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const response = await page.goto(url(path))
    expect(response?.status()).toBe(200)
    if ((await market('MISO').and(page.locator('[data-inventory="2026-09"]')).count()) === 1) return
    if (Date.now() > deadline) throw new Error(`${path}: no EIA-860M inventory of 2026-09 shown within ${timeoutMs / 1000} s`)
    await page.waitForTimeout(1_000)
  }
}

async function row(m: string, technology: string): Promise<string[]> {
  return market(m)
    .locator(`tr[data-technology="${technology}"]`)
    .evaluate((tr) => Array.from(tr.querySelectorAll('th, td')).map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim()))
}

/** The saved scenario's page at a version, with its fleet check drawn. */
const savedPage = (version: number) => page.locator(`.page[data-scenario="${NAME}"][data-version="${version}"] section.fleet-check .fleet-check-market[data-market="MISO"]`)

const statements = (m: string) => market(m).locator('[data-statement]').evaluateAll((els) => els.map((e) => e.getAttribute('data-statement')))

describe('fleet check against EIA-860M', () => {
  it("new scenario: per market the base scenario's fleet in 2026-10 against net summer MW, nameplate, the gap and the designed statements", async () => {
    await openWithInventory('/scenarios/new')
    const panel = page.getByRole('region', { name: 'Fleet check against EIA-860M' })
    expect(await panel.locator('.panel-meta').textContent()).toBe('Checked: My scenario (extends base)')
    expect(await market('MISO').locator('caption').textContent()).toBe('MISO · MISO operable capacity, EIA-860M 2026-09 · statements take effect 2026-10')
    expect(await market('MISO').locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.technology))).toEqual([
      'solar',
      'wind',
      'storage',
      'gas_cc',
      'gas_ct',
      'coal',
      'nuclear',
      'hydro',
    ])
    // Technology | Model MW (2026-10) | EIA-860M summer MW | Nameplate MW | Gap MW | Statement
    expect(await row('MISO', 'coal')).toEqual(['coal', '40,700', '39,500', '41,870.3', '\u22121,200', `${COAL} Add to scenario`])
    expect(await row('MISO', 'wind')).toEqual(['wind', '34,500', '35,300', '36,006.4', '+800', 'build wind 800 MW in MISO at 2026-10 Add to scenario'])
    // Base builds 6,000 MW of MISO solar every June from 2025: the inventory has it all.
    expect(await row('MISO', 'solar')).toEqual(['solar', '24,000', '24,000', '24,719.6', '0', 'within 1 MW'])
    expect(await row('MISO', 'nuclear')).toEqual(['nuclear', '12,000', '12,000', '12,480.2', '0', 'within 1 MW'])
    expect(await statements('MISO')).toEqual(MISO_STATEMENTS)
    expect(await market('MISO').locator('.fleet-check-not-modelled').textContent()).toBe(
      'Not in the model (MISO, net summer / nameplate MW): Landfill Gas 420 / 441.6; Petroleum Liquids 1,150 / 1,242; Wood/Wood Waste Biomass 310 / 328.5',
    )
    expect(await market('MISO').getByRole('button', { name: 'Add all 3 MISO statements to the scenario' }).count()).toBe(1)

    expect(await market('CAISO').locator('caption').textContent()).toBe('CAISO · CISO operable capacity, EIA-860M 2026-09 · statements take effect 2026-10')
    expect(await row('CAISO', 'storage')).toEqual(['storage', '17,500', '16,000', '16,215.2', '\u22121,500', 'retire storage 1500 MW in CAISO at 2026-10 Add to scenario'])
    expect(await row('CAISO', 'gas_cc')).toEqual(['gas_cc', '15,500', '15,500', '16,585', '0', 'within 1 MW'])
    expect(await statements('CAISO')).toEqual(CAISO_STATEMENTS)
    expect(await market('CAISO').locator('.fleet-check-not-modelled').textContent()).toBe(
      'Not in the model (CISO, net summer / nameplate MW): Geothermal 1,480 / 1,583.8; Landfill Gas 260 / 273.2; Petroleum Liquids 140 / 151.2; Wood/Wood Waste Biomass 520 / 551',
    )
    await panel.screenshot({ path: '/tmp/fleet-check-new.png' })
  })

  it('"Add to scenario" appends the statement to the editor\'s text; saved, the scenario\'s page finds the coal gap closed', async () => {
    await page.locator('.scenario-editor[data-editor="codemirror"]').waitFor()
    const content = page.getByRole('textbox', { name: 'Scenario text' })
    await content.click()
    await page.keyboard.press('Control+A')
    await page.keyboard.press('Delete')
    await page.keyboard.type(`scenario "${NAME}" extends "base"`)
    await page.keyboard.press('Escape')
    const coal = market('MISO').locator('tr[data-technology="coal"]')
    await coal.getByRole('button', { name: 'Add to scenario' }).click()
    expect(await coal.getByRole('button', { name: 'Added' }).isDisabled()).toBe(true)
    const text = page.locator('textarea[name="text"]')
    expect(await text.inputValue()).toBe(`scenario "${NAME}" extends "base"\n${COAL}  # fleet check: EIA-860M 2026-09, MISO net summer MW\n`)
    expect(await content.textContent()).toContain(COAL)
    // The editor checks the added line like a typed one.
    await page.locator('.scenario-problems[data-problems="0"]').waitFor()

    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.waitForURL((u) => /^\/scenarios\/[0-9a-f-]{36}$/.test(u.pathname))
    // The URL can change before the saved scenario's page is drawn: wait for the page itself.
    await savedPage(1).waitFor()
    expect(await page.locator('section.fleet-check .panel-meta').textContent()).toBe(`Checked: ${NAME} v1 (extends base) as saved`)
    expect(await row('MISO', 'coal')).toEqual(['coal', '39,500', '39,500', '41,870.3', '0', 'within 1 MW'])
    expect(await statements('MISO')).toEqual(MISO_STATEMENTS.filter((s) => s !== COAL))
    expect(await market('MISO').getByRole('button', { name: 'Add all 2 MISO statements to the scenario' }).count()).toBe(1)
    expect(errors).toEqual([])
  })

  it("with every MISO statement added and saved, the scenario's MISO fleet matches the inventory; CAISO's gaps stay", async () => {
    await market('MISO').getByRole('button', { name: 'Add all 2 MISO statements to the scenario' }).click()
    expect(await market('MISO').getByRole('button', { name: 'All MISO statements added' }).isDisabled()).toBe(true)
    await page.locator('.scenario-problems[data-problems="0"]').waitFor()
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await savedPage(2).waitFor()
    expect(await page.locator('section.fleet-check .panel-meta').textContent()).toBe(`Checked: ${NAME} v2 (extends base) as saved`)
    expect(await market('MISO').locator('.fleet-check-closed').textContent()).toBe("The scenario's MISO fleet matches the inventory within 1 MW for every technology.")
    expect(await row('MISO', 'gas_ct')).toEqual(['gas_ct', '33,550', '33,550', '36,123.3', '0', 'within 1 MW'])
    expect(await statements('MISO')).toEqual([])
    expect(await statements('CAISO')).toEqual(CAISO_STATEMENTS)
    expect(errors).toEqual([])
  })

  it('the house base scenario (read only) shows the statements without a button', async () => {
    await page.goto(url('/scenarios'))
    await page.locator('tr[data-scenario="base"]').getByRole('link', { name: 'base' }).click()
    await page.waitForURL((u) => /^\/scenarios\/[0-9a-f-]{36}$/.test(u.pathname))
    await market('MISO').waitFor()
    expect(await statements('MISO')).toEqual(MISO_STATEMENTS)
    expect(await statements('CAISO')).toEqual(CAISO_STATEMENTS)
    expect(await page.locator('section.fleet-check button').count()).toBe(0)
    expect(await page.locator('section.fleet-check').textContent()).toContain('A house scenario cannot change: start a new scenario that extends it to add these statements.')
    expect(errors).toEqual([])
  })
})
