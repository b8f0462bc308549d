import type { ReactNode } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { LegendItem } from '../chart-parts.tsx'
import { column, DataTable, Panel } from './page-parts.tsx'

/**
 * The shared page pieces render the markup the pages wrote inline (the e2e tests and the
 * stylesheet select on it): the panel header, the column heads, the legend swatch. The header
 * and the run table hold router links and are covered by tests/e2e/scenarios.e2e.test.ts.
 */

const html = (node: ReactNode) => renderToString(node)

describe('page parts', () => {
  it('labels a panel by its heading and shows the meta line only when given', () => {
    expect(html(<Panel id="runs-title" title="Runs" className="chart-panel" meta="MISO">x</Panel>)).toBe(
      '<section class="panel chart-panel" aria-labelledby="runs-title"><div class="panel-header"><h2 id="runs-title">Runs</h2><span class="panel-meta">MISO</span></div>x</section>',
    )
    expect(html(<Panel id="t" title="T">y</Panel>)).toBe('<section class="panel" aria-labelledby="t"><div class="panel-header"><h2 id="t">T</h2></div>y</section>')
  })

  it('heads a data table with one th a column, text-aligned unless told', () => {
    const out = html(
      <DataTable className="scenario-versions" caption="Versions" columns={[column('Version'), column('Saved', 'time'), column('Price', 'num')]}>
        <tr />
      </DataTable>,
    )
    expect(out).toBe(
      '<div class="table-scroll"><table class="data-table scenario-versions"><caption>Versions</caption><thead><tr><th scope="col" class="text">Version</th><th scope="col" class="time">Saved</th><th scope="col" class="num">Price</th></tr></thead><tbody><tr></tr></tbody></table></div>',
    )
  })

  it('draws a legend entry with its swatch classes and colour', () => {
    expect(html(<LegendItem swatch="legend-swatch-dashed" style={{ borderColor: '#2563eb' }}>Curve as of 2026-01-02</LegendItem>)).toBe(
      '<span class="legend-item"><span class="legend-swatch legend-swatch-dashed" style="border-color:#2563eb" aria-hidden="true"></span>Curve as of 2026-01-02</span>',
    )
    expect(html(<LegendItem>Realized</LegendItem>)).toBe('<span class="legend-item"><span class="legend-swatch" aria-hidden="true"></span>Realized</span>')
  })
})
