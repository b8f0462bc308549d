/** One problem found in curve input; every field that is known is named so the user can find and fix it. */
export type CurveInputIssue = {
  /** 1-based line in a CSV file (header = line 1), or the array index of a JSON quote. */
  line?: number
  field?: string
  value?: string
  contract?: string
  message: string
}

/** Renders one issue as `line 3, field price, contract 2027-Q3, value "abc": not a number`. */
export function describeIssue(issue: CurveInputIssue): string {
  const where: string[] = []
  if (issue.line !== undefined) where.push(`line ${issue.line}`)
  if (issue.field !== undefined) where.push(`field ${issue.field}`)
  if (issue.contract !== undefined) where.push(`contract ${issue.contract}`)
  if (issue.value !== undefined) where.push(`value ${JSON.stringify(issue.value)}`)
  return where.length > 0 ? `${where.join(', ')}: ${issue.message}` : issue.message
}

/**
 * Bad curve input (quotes, contract codes, build options). Carries every issue found, not just the
 * first, so a user fixing a quote file sees all of its problems in one pass; the message lists them all.
 */
export class CurveInputError extends Error {
  readonly issues: CurveInputIssue[]
  readonly file: string | undefined

  constructor(issues: CurveInputIssue[], options: { file?: string } = {}) {
    const list = issues.length > 0 ? issues : [{ message: 'invalid curve input' }]
    const source = options.file !== undefined ? ` in ${options.file}` : ''
    const head = `${list.length} curve input ${list.length === 1 ? 'problem' : 'problems'}${source}`
    super(`${head}:\n${list.map((i) => `  - ${describeIssue(i)}`).join('\n')}`)
    this.name = 'CurveInputError'
    this.issues = list
    this.file = options.file
  }
}
