/**
 * The one error of this package. Compliance numbers go into filings and invoices, so an input
 * the rules cannot account for (a retirement beyond the obligation, a vintage outside its banking
 * window, a class the program does not have) stops the computation and says where: program,
 * period, class, field and the value found.
 */
export type ComplianceErrorCode =
  /** An input does not match its schema (a fractional certificate, a percent above 100). */
  | 'INVALID_INPUT'
  /** An input names a program that is not among the definitions given. */
  | 'UNKNOWN_PROGRAM'
  /** An input names a class its program does not have, or a carve-out of another class. */
  | 'UNKNOWN_CLASS'
  /** Two obligations, programs or prices for the same key (the sum would hide a typo). */
  | 'DUPLICATE'
  /** An obligation of the wrong kind for its program (retail sales for LCFS, deficits for an RPS). */
  | 'WRONG_BASIS'
  /** Carve-out percentages adding up to more than the headline percentage. */
  | 'CARVE_OUT_EXCEEDS_HEADLINE'
  /** More retired against a period than its obligation. */
  | 'OVER_RETIREMENT'
  /** More of a class and vintage retired than the holdings of it. */
  | 'RETIREMENT_EXCEEDS_HOLDINGS'
  /** A retirement of a vintage outside the banking window of its period. */
  | 'INELIGIBLE_VINTAGE'

/** Where an error is: the program, period (compliance year) and field, with the value found. */
export type ComplianceErrorDetails = {
  organization: string | null
  program: string | null
  period: number | null
  class: string | null
  /** The input field, as a path (`retirements[2].quantity`) or a computed quantity (`retired`). */
  field: string
  value: string
}

const MAX_VALUE_CHARS = 200

export class ComplianceError extends Error {
  readonly code: ComplianceErrorCode
  readonly details: ComplianceErrorDetails
  /** What is wrong, in words a user can act on (the message adds where and the value). */
  readonly reason: string

  constructor(code: ComplianceErrorCode, details: ComplianceErrorDetails, reason: string) {
    const value = details.value.length > MAX_VALUE_CHARS ? `${details.value.slice(0, MAX_VALUE_CHARS)}...` : details.value
    super(`${where(details)}, ${details.field}: ${reason} (found ${JSON.stringify(value)})`)
    this.name = 'ComplianceError'
    this.code = code
    this.details = { ...details, value }
    this.reason = reason
  }
}

/** `org-a CA_LCFS 2026 CREDIT`, the parts that are known. */
function where(details: ComplianceErrorDetails): string {
  const parts = [details.organization, details.program, details.period, details.class].filter((part) => part !== null)
  return parts.length > 0 ? parts.join(' ') : '(input)'
}
