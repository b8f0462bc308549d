import { useState } from 'react'
import type { FleetCheckMarket, FleetCheckOutput, FleetInventoryCheck } from '#server/services/scenarios/fleet-check.ts'
import { EmptyState } from '../empty-state.tsx'
import { column, DataTable, Panel, type Column } from './page-parts.tsx'

/**
 * "Fleet check against EIA-860M" on the editor pages: per market the scenario's installed MW per
 * technology in the month after the latest EIA-860M inventory stored for the market's own
 * balancing authority, EIA's operable net summer MW (compared) and nameplate MW (shown), the gap,
 * and the build or retire statement that closes it. Nothing changes the scenario by itself: "Add to
 * scenario" appends the statement to the editor's text (with a comment naming the inventory), where
 * it is checked, saved and hashed like any line the user typed. On a house scenario (read-only) the
 * statements are shown without the button.
 */

type FleetCheckProps = {
  check: FleetCheckOutput
  /** Appends a line to the editor's text; absent when the text cannot change (a house scenario). */
  onAdd?: (line: string) => void
}

const MINUS = '\u2212'
const mwFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })

/** "1,234.5" MW, a real minus sign; a gap with its sign ("+50", "−52.5"). */
export function formatMw(value: number, signed = false): string {
  const text = mwFormat.format(Math.abs(value))
  if (text === '0') return text
  if (value < 0) return `${MINUS}${text}`
  return signed ? `+${text}` : text
}

/** The line "Add to scenario" appends: the statement, and a comment naming the inventory it closes the gap to. */
export function fleetLine(statement: string, market: Pick<FleetCheckMarket, 'respondent'>, check: Pick<FleetInventoryCheck, 'month'>): string {
  return `${statement}  # fleet check: EIA-860M ${check.month}, ${market.respondent} net summer MW`
}

const BACKFILL = 'carbon backfill --dataset eia.860m.generators'

export function FleetCheckPanel({ check, onAdd }: FleetCheckProps) {
  const { scenario } = check
  const checked = `${scenario.name}${scenario.version ? ` v${scenario.version}` : ''}${scenario.extends ? ` (extends ${scenario.extends})` : ''}`
  return (
    <Panel id="fleet-check-title" title="Fleet check against EIA-860M" meta={`Checked: ${checked}${scenario.version ? ' as saved' : ''}`} className="fleet-check">
      <p className="table-note">
        The scenario&apos;s installed capacity in the month after the latest EIA-860M inventory of each market&apos;s own balancing authority, against
        EIA&apos;s operable net summer MW (what a unit delivers at the summer peak, as the model counts capacity; nameplate beside it). The model&apos;s
        fleet is not replaced: add the statements you agree with, and the scenario&apos;s text says what its runs assume.
      </p>
      {check.markets.length === 0 ? (
        <EmptyState title="Your organization is entitled to no market the model covers (MISO, CAISO) in the hub." />
      ) : (
        check.markets.map((market) => <FleetMarket key={market.market} market={market} onAdd={onAdd} />)
      )}
    </Panel>
  )
}

const FLEET_COLUMNS = (at: string): Column[] => [
  column('Technology'),
  column(`Model MW (${at})`, 'num'),
  column('EIA-860M summer MW', 'num'),
  column('Nameplate MW', 'num'),
  column('Gap MW', 'num'),
  column('Statement that closes it'),
]

function FleetMarket({ market, onAdd }: { market: FleetCheckMarket; onAdd?: (line: string) => void }) {
  const [added, setAdded] = useState<ReadonlySet<string>>(new Set())
  const { check } = market
  if (!check) {
    return (
      <div className="fleet-check-market" data-market={market.market} data-inventory="none">
        <EmptyState title={`${market.market}: no EIA-860M inventory of ${market.respondent} stored`}>
          <p>
            No EIA-860M inventory stored; <code>{BACKFILL}</code> fills it.
          </p>
        </EmptyState>
      </div>
    )
  }
  const add = (statements: readonly string[]) => {
    const fresh = statements.filter((s) => !added.has(s))
    for (const s of fresh) onAdd?.(fleetLine(s, market, check))
    setAdded(new Set([...added, ...fresh]))
  }
  const pending = check.statements.filter((s) => !added.has(s))
  return (
    <div className="fleet-check-market" data-market={market.market} data-inventory={check.month}>
      <DataTable
        className="fleet-check-table"
        caption={`${market.market} · ${market.respondent} operable capacity, EIA-860M ${check.month} · statements take effect ${check.at}`}
        columns={FLEET_COLUMNS(check.at)}
      >
        {check.rows.map((row) => (
          <tr key={row.technology} data-technology={row.technology}>
            <th scope="row" className="text mono">
              {row.technology}
            </th>
            <td className="num">{formatMw(row.modelMw)}</td>
            <td className="num">{formatMw(row.summerMw)}</td>
            <td className="num">{formatMw(row.nameplateMw)}</td>
            <td className="num">{formatMw(row.gapMw, true)}</td>
            <td className="text">
              {row.statement === null ? (
                <span className="muted">within 1 MW</span>
              ) : (
                <>
                  <code className="mono" data-statement={row.statement}>
                    {row.statement}
                  </code>
                  {onAdd ? (
                    <>
                      {' '}
                      <button type="button" className="button button-small" disabled={added.has(row.statement)} onClick={() => add([row.statement!])}>
                        {added.has(row.statement) ? 'Added' : 'Add to scenario'}
                      </button>
                    </>
                  ) : null}
                </>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <FleetMarketFooter market={market} check={check} pending={pending.length} onAddAll={onAdd ? () => add(check.statements) : undefined} />
    </div>
  )
}

function FleetMarketFooter({
  market,
  check,
  pending,
  onAddAll,
}: {
  market: FleetCheckMarket
  check: FleetInventoryCheck
  pending: number
  onAddAll?: () => void
}) {
  return (
    <div className="fleet-check-footer table-note">
      {check.notModelled.length > 0 ? (
        <p className="fleet-check-not-modelled">
          {`Not in the model (${market.respondent}, net summer / nameplate MW): `}
          {check.notModelled.map((t) => `${t.technology} ${formatMw(t.summerMw)} / ${formatMw(t.nameplateMw)}`).join('; ')}
        </p>
      ) : null}
      {check.statements.length === 0 ? (
        <p className="fleet-check-closed">The scenario&apos;s {market.market} fleet matches the inventory within 1 MW for every technology.</p>
      ) : onAddAll ? (
        <button type="button" className="button" disabled={pending === 0} onClick={onAddAll}>
          {pending === 0 ? `All ${market.market} statements added` : `Add all ${pending} ${market.market} statement${pending === 1 ? '' : 's'} to the scenario`}
        </button>
      ) : (
        <p className="muted">A house scenario cannot change: start a new scenario that extends it to add these statements.</p>
      )}
    </div>
  )
}
