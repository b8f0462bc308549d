import { strFromU8, unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { writeZip, zipBytes } from './zip.ts'

describe('writeZip', () => {
  it('streams entries chunk by chunk into a zip any reader opens', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `row ${i},${(i * 7919) % 1000}\n`)
    const chunks = function* () {
      for (let i = 0; i < lines.length; i += 1000) yield lines.slice(i, i + 1000).join('')
    }
    const zip = await zipBytes([
      { name: 'a.csv', chunks: chunks() },
      { name: 'b.xml', chunks: ['<x/>'] },
      { name: 'empty.csv', chunks: [''] },
    ])
    const files = unzipSync(zip)
    expect(Object.keys(files)).toEqual(['a.csv', 'b.xml', 'empty.csv'])
    expect(strFromU8(files['a.csv']!)).toBe(lines.join(''))
    expect(strFromU8(files['b.xml']!)).toBe('<x/>')
    expect(files['empty.csv']).toHaveLength(0)
  })

  it('waits for the sink before generating more (backpressure)', async () => {
    let generated = 0
    let written = 0
    const chunks = function* () {
      for (let i = 0; i < 50; i++) {
        generated++
        // Incompressible-ish text so every chunk produces output.
        yield Array.from({ length: 2000 }, (_, j) => ((i * 2000 + j) * 2654435761) % 1_000_003).join(',')
      }
    }
    let maxAhead = 0
    await writeZip([{ name: 'x.csv', chunks: chunks() }], async () => {
      written++
      maxAhead = Math.max(maxAhead, generated - written)
      await new Promise((resolve) => setTimeout(resolve, 1))
    })
    expect(generated).toBe(50)
    expect(written).toBeGreaterThan(5)
    expect(maxAhead).toBeLessThan(10)
  })
})
