import { StringStream } from '@codemirror/language'
import { describe, expect, it } from 'vitest'
import { scenarioToken } from './scenario-language.ts'

/** The tokens of one line as [text, style] pairs (whitespace dropped). */
function tokens(line: string): [string, string | null][] {
  const stream = new StringStream(line, 4, 2)
  const out: [string, string | null][] = []
  while (!stream.eol()) {
    stream.start = stream.pos
    const style = scenarioToken(stream)
    const text = stream.current()
    if (text.trim()) out.push([text, style])
  }
  return out
}

describe('scenario highlighter', () => {
  it('colours keywords, targets, numbers, units, months and comments', () => {
    expect(tokens('set fuel.gas = 5.50 $/MMBtu from 2027-01 escalate 2 %/yr # high')).toEqual([
      ['set', 'keyword'],
      ['fuel.gas', 'variableName'],
      ['=', 'operator'],
      ['5.50', 'number'],
      ['$/MMBtu', 'typeName'],
      ['from', 'keyword'],
      ['2027-01', 'number'],
      ['escalate', 'keyword'],
      ['2', 'number'],
      ['%/yr', 'typeName'],
      ['# high', 'comment'],
    ])
  })

  it('colours names as strings and technologies and markets as atoms', () => {
    expect(tokens('scenario "High gas" extends "base"')).toEqual([
      ['scenario', 'keyword'],
      ['"High gas"', 'string'],
      ['extends', 'keyword'],
      ['"base"', 'string'],
    ])
    expect(tokens('build solar 5000 MW in MISO at 2028-06')).toEqual([
      ['build', 'keyword'],
      ['solar', 'atom'],
      ['5000', 'number'],
      ['MW', 'typeName'],
      ['in', 'keyword'],
      ['MISO', 'atom'],
      ['at', 'keyword'],
      ['2028-06', 'number'],
    ])
  })

  it('colours forward as a keyword in set fuel.gas = forward', () => {
    expect(tokens('set fuel.gas = forward from 2026-08')).toEqual([
      ['set', 'keyword'],
      ['fuel.gas', 'variableName'],
      ['=', 'operator'],
      ['forward', 'keyword'],
      ['from', 'keyword'],
      ['2026-08', 'number'],
    ])
  })

  it('leaves a misspelled word plain and survives an unterminated string', () => {
    expect(tokens('sett x "open')).toEqual([
      ['sett', null],
      ['x', null],
      ['"open', 'string'],
    ])
  })
})
