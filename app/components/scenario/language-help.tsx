import { completions, CONCRETE_TARGETS } from '@carbon/scenario/language'
import { column, DataTable, Panel, type Column } from './page-parts.tsx'

/** The target patterns of `set` (types.ts SET_TARGETS, one entry per pattern) and the names `<tech>` and `<market>` stand for. */
const SET_TARGETS = [...new Set(CONCRETE_TARGETS.map((t) => t.spec))]
const TECHNOLOGIES = completions().filter((c) => c.type === 'technology').map((c) => c.label)
const SCENARIO_MARKETS = completions().filter((c) => c.type === 'market').map((c) => c.label)

const TARGET_COLUMNS: Column[] = [column('Target'), column('Unit'), column('Escalate'), column('Meaning')]

/**
 * A short reference of the scenario language under the editor: statements, targets and their
 * units, and `set fuel.gas = forward`, which follows the Henry Hub forward curve instead of a price.
 */
export function LanguageHelp() {
  return (
    <Panel id="language-help-title" title="The scenario language" className="scenario-help">
      <div className="scenario-help-body">
        <pre className="scenario-example mono">
          {[
            '# comment',
            'scenario "High gas" extends "base"',
            'set fuel.gas = 5.50 $/MMBtu from 2027-01 escalate 2 %/yr',
            '# or: set fuel.gas = forward from 2026-08   (the Henry Hub forward curve)',
            'set policy.carbon = 40 $/t from 2030-01 escalate 3 %/yr',
            'set load.MISO.growth = 1.5 %/yr from 2027-01',
            'build solar 5000 MW in MISO at 2028-06',
            'retire coal 3000 MW in MISO at 2029-01',
          ].join('\n')}
        </pre>
        <p className="scenario-forward-help">
          <code>set fuel.gas = forward [from YYYY-MM]</code>: Henry Hub follows the latest house forward curve (built on{' '}
          <a href="/gas/curves/HENRY_HUB">/gas/curves/HENRY_HUB</a>) instead of a price; after the curve&apos;s last month, its last price. No unit and no{' '}
          <code>escalate</code>. A later <code>set fuel.gas = 4 $/MMBtu from 2035-01</code> still takes over from its month, and months with Henry Hub history keep
          the history. Only <code>fuel.gas</code> can follow the forward curve; a run of such a scenario is refused while no house curve is built.
        </p>
        <DataTable
          className="scenario-targets"
          caption={
            <>
              What <code>set</code> may change · <code>&lt;market&gt;</code>: {SCENARIO_MARKETS.join(', ')} · <code>&lt;tech&gt;</code>: {TECHNOLOGIES.join(', ')}
            </>
          }
          columns={TARGET_COLUMNS}
        >
          {SET_TARGETS.map((t) => (
            <tr key={t.pattern}>
              <th scope="row" className="text mono">
                {t.pattern}
              </th>
              <td className="text mono">{t.forward ? `${t.unit} or forward` : t.unit}</td>
              <td className="text">{t.escalates ? 'yes' : 'no'}</td>
              <td className="text">{t.description}</td>
            </tr>
          ))}
        </DataTable>
      </div>
    </Panel>
  )
}
