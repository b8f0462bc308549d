import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { LanguageHelp } from './language-help.tsx'

/** The markup without React's text separators (`<!-- -->`), which say nothing about what is shown. */
const html = () => renderToString(<LanguageHelp />).replaceAll('<!-- -->', '')

describe('LanguageHelp', () => {
  it('documents set fuel.gas = forward: its form, where the curve is built, and that only fuel.gas takes it', () => {
    const page = html()
    expect(page).toContain('# or: set fuel.gas = forward from 2026-08   (the Henry Hub forward curve)')
    expect(page).toContain('<code>set fuel.gas = forward [from YYYY-MM]</code>: Henry Hub follows the latest house forward curve')
    expect(page).toContain('<a href="/gas/curves/HENRY_HUB">/gas/curves/HENRY_HUB</a>')
    expect(page).toContain('Only <code>fuel.gas</code> can follow the forward curve')
  })

  it('gives fuel.gas the unit "$/MMBtu or forward" and every other target its unit alone', () => {
    const rows = [...html().matchAll(/<th scope="row" class="text mono">([^<]+)<\/th><td class="text mono">([^<]+)<\/td>/g)].map((m) => [m[1], m[2]])
    expect(rows.find(([target]) => target === 'fuel.gas')).toEqual(['fuel.gas', '$/MMBtu or forward'])
    expect(rows.find(([target]) => target === 'fuel.coal')).toEqual(['fuel.coal', '$/MMBtu'])
    expect(rows.filter(([, unit]) => unit!.includes('forward'))).toHaveLength(1)
  })
})
