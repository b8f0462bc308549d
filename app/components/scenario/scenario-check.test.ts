import { describe, expect, it } from 'vitest'
import { makeScenarioChecker } from './scenario-check.ts'

/** The editor's check runs the real scenario language with the visible scenarios as parents. */
const parents = [
  { name: 'base', text: 'scenario "base"\nset fuel.gas = 3.5 $/MMBtu\n' },
  { name: 'High gas', text: 'scenario "High gas" extends "base"\nset fuel.gas = 6 $/MMBtu\n' },
]

describe('editor check', () => {
  const check = makeScenarioChecker(parents, 'scenario')

  it('accepts a scenario extending a visible parent', () => {
    expect(check('scenario "Mine" extends "High gas"\nset policy.carbon = 40 $/t from 2030-01\n')).toEqual([])
  })

  it('places a misspelled target with its suggestion at the offsets the editor underlines', () => {
    const text = 'scenario "Mine" extends "base"\nset fuel.gaz = 5 $/MMBtu\n'
    const [d, ...rest] = check(text)
    expect(rest).toEqual([])
    expect(d).toMatchObject({ line: 2, col: 5, token: 'fuel.gaz', suggestion: 'fuel.gas' })
    expect(d!.message).toContain('did you mean fuel.gas?')
    expect(text.slice(d!.from, d!.to)).toBe('fuel.gaz')
  })

  it('names a parent the user cannot see', () => {
    const [d] = check('scenario "Mine" extends "bsae"\n')
    expect(d).toMatchObject({ line: 1, token: '"bsae"', suggestion: '"base"' })
    expect(d!.message).toContain('unknown parent scenario "bsae"')
  })
})
