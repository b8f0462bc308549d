import type { CompliancePosition, ComplianceProduct, EntriesOutput, ProgramSummary } from '#server/services/compliance/schemas.ts'
import type { Intent } from './form-fields.ts'

/** What the compliance pages' loaders and actions send to the browser (compliance.server.ts). */

export type ProgramPositions = { program: ProgramSummary; positions: CompliancePosition[] }

export type OverviewData = { sections: { product: ComplianceProduct; programs: ProgramPositions[] }[] }

export type ProgramPageData = {
  product: ComplianceProduct
  program: ProgramSummary
  positions: CompliancePosition[]
  entries: EntriesOutput
  /** Whether the user may record and remove (the analyst role). */
  canWrite: boolean
  /** The latest date a retirement may carry (today, a day of slack ahead of UTC). */
  latestRetirementDate: string
  /** The intent that just succeeded (`?ok=lot`), for the banner. */
  ok: Intent | null
}

/** A refused form: which form, the field at fault (null: none of the form's), the message, what was typed. */
export type ActionAnswer = { ok: false; intent: Intent; field: string | null; message: string; values: Record<string, string> }
