import { ComplianceError, compliancePositions, type ComplianceInputIn, type LatestPrice, type Position, type ProgramDefinition } from '@carbon/compliance'
import { AppError } from '../../errors.ts'
import type { LotEntry, ObligationEntry, RetirementEntry } from './schemas.ts'

/**
 * An organization's entries of one product as the package reads them, each with where it came
 * from: a stored row (its id) or the call's input (its index). compliancePositions checks them
 * together; when it refuses, {@link refusalOf} names the entry the way the caller wrote it
 * (`lots.0.quantity` of the call, or `retirements.<id>.quantity` of a stored row).
 */

export type Origin = { source: 'input'; index: number } | { source: 'stored'; id: string }
type Entry<T> = { entry: T; origin: Origin }

export type Ledger = {
  obligations: Entry<ObligationEntry>[]
  lots: Entry<LotEntry>[]
  retirements: Entry<RetirementEntry>[]
}

export const emptyLedger = (): Ledger => ({ obligations: [], lots: [], retirements: [] })

/** The package's input: every entry of the ledger under `organization`. */
export function packageInput(organization: string, programs: readonly ProgramDefinition[], ledger: Ledger, prices: LatestPrice[] = []): ComplianceInputIn {
  return {
    programs: [...programs],
    obligations: ledger.obligations.map(({ entry }) => ({ ...entry, organization })),
    holdings: ledger.lots.map(({ entry }) => ({ ...entry, organization })),
    retirements: ledger.retirements.map(({ entry: { retiredOn: _date, ...retirement } }) => ({ ...retirement, organization })),
    prices,
  }
}

/** The positions of the ledger; throws ComplianceError when the entries do not add up. */
export function positionsOf(organization: string, programs: readonly ProgramDefinition[], ledger: Ledger, prices: LatestPrice[] = []): Position[] {
  return compliancePositions(packageInput(organization, programs, ledger, prices))
}

/** The package's input lists and what this API calls them. */
const KINDS = { obligations: 'obligations', holdings: 'lots', retirements: 'retirements' } as const

const ELEMENT = /^(obligations|holdings|retirements)\[(\d+)\](.*)$/

/** `.carveOuts[0].percent` as `.carveOuts.0.percent` (the dotted paths of the input schema's errors). */
const dotted = (rest: string) => rest.replace(/\[(\d+)\]/g, '.$1')

/** The field of a package error as the caller knows it; null for a field of no entry (a program definition, a price). */
export function fieldOf(error: ComplianceError, ledger: Ledger): { field: string; origin: Origin | null } | null {
  const field = error.details.field
  if (field === 'retired') return { field, origin: null }
  const m = ELEMENT.exec(field)
  if (!m) return null
  const kind = KINDS[m[1] as keyof typeof KINDS]
  const origin = ledger[kind][Number(m[2])]?.origin
  if (!origin) return null
  const key = origin.source === 'input' ? String(origin.index) : origin.id
  return { field: `${kind}.${key}${dotted(m[3] ?? '')}`, origin }
}

/** `program NJ_RPS, period 2027, class SOLAR`: where the package says the problem is. */
function whereOf(error: ComplianceError): string {
  const { program, period, class: className } = error.details
  return [program && `program ${program}`, period !== null && `period ${period}`, className && `class ${className}`].filter(Boolean).join(', ')
}

/**
 * What to tell the caller when the package refuses the entries: 400 for a call's own entries
 * (`record`) or for a removal that would leave the stored ones inconsistent (`remove`), 409 when
 * stored entries no longer add up on their own (`read`: a program's rules changed under them).
 * The message starts with the field, then says why, where (program, period, class) and the value.
 * A refusal of something no entry holds (a program definition, a price) is a bug: rethrown as is.
 */
export function refusalOf(error: ComplianceError, ledger: Ledger, action: 'record' | 'remove' | 'read'): AppError {
  const located = fieldOf(error, ledger)
  if (!located) throw error
  const where = whereOf(error)
  const found = `found ${JSON.stringify(error.details.value)}`
  const stored = located.origin?.source === 'stored' || (located.origin === null && action !== 'record')
  const consequence =
    action === 'remove' && stored
      ? ': removing these entries would leave the stored ones so; remove the entries that depend on them in the same call'
      : action === 'read'
        ? ': the stored entries no longer add up; correct or remove them'
        : ''
  const message = `${located.field}: ${error.reason} (${where ? `${where}; ` : ''}${found})${consequence}`
  const details = {
    issues: [{ path: located.field, message: error.reason }],
    code: error.code,
    program: error.details.program,
    period: error.details.period,
    class: error.details.class,
    field: located.field,
    value: error.details.value,
  }
  return action === 'read' ? new AppError('CONFLICT', message, { details }) : AppError.badRequest(message, details)
}

/** Runs `check`, turning the package's refusal into the caller's error. */
export function checked<T>(ledger: Ledger, action: 'record' | 'remove' | 'read', check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (error instanceof ComplianceError) throw refusalOf(error, ledger, action)
    throw error
  }
}
