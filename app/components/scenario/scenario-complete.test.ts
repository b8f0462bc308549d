import { completions } from '@carbon/scenario/language'
import { describe, expect, it } from 'vitest'
import { matchingItems, wordBefore } from './scenario-complete.ts'

describe('editor suggestions', () => {
  it('takes the word before the cursor, with the dots of targets and the symbols of units', () => {
    expect(wordBefore('set fuel.ga', 11)).toEqual({ word: 'fuel.ga', start: 4 })
    expect(wordBefore('set fuel.gas = 5 $/MM', 21)).toEqual({ word: '$/MM', start: 17 })
    expect(wordBefore('scenario "x" ', 13)).toEqual({ word: '', start: 13 })
  })

  it("suggests the language's own names by prefix, case-insensitively", () => {
    const items = completions()
    expect(matchingItems(items, 'fuel.g').map((i) => i.label)).toEqual(['fuel.gas', 'fuel.gas.basis.MISO', 'fuel.gas.basis.CAISO'])
    expect(matchingItems(items, 'esc').map((i) => i.label)).toEqual(['escalate'])
    expect(matchingItems(items, 'sol').map((i) => i.label)).toEqual(['solar'])
    expect(matchingItems(items, 'mi').map((i) => i.label)).toEqual(['MISO'])
    expect(matchingItems(items, '$/MM').map((i) => i.label)).toEqual(['$/MMBtu'])
    expect(matchingItems(items, 'fo').map((i) => i.label)).toEqual(['forward'])
    expect(matchingItems(items, 'f').map((i) => i.label)).toEqual([])
  })

  it('completes forward after fuel.gas =, and says it is for fuel.gas only', () => {
    const line = 'set fuel.gas = forw'
    const { word, start } = wordBefore(line, line.length)
    expect({ word, start }).toEqual({ word: 'forw', start: 15 })
    const [forward] = matchingItems(completions(), word)
    expect(forward).toMatchObject({ label: 'forward', type: 'keyword' })
    expect(forward!.detail).toMatch(/^fuel\.gas only: /)
  })

  it('stays closed on one letter, on a complete word with nothing longer, and on no match', () => {
    const items = completions()
    expect(matchingItems(items, 's')).toEqual([])
    expect(matchingItems(items, 'escalate')).toEqual([])
    expect(matchingItems(items, 'zz')).toEqual([])
    expect(matchingItems(items, 'fuel.gas').map((i) => i.label)).toEqual(['fuel.gas', 'fuel.gas.basis.MISO', 'fuel.gas.basis.CAISO'])
  })
})
