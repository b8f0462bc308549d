/**
 * The compliance page's forms (app/routes/compliance.$program.tsx): what each form posts, how its
 * text becomes an entry for the service, and how a refusal's field (`obligations.0.percent`, as
 * the API names it) becomes the form field and label the user sees. Pure: shared by the action
 * and its tests.
 */

export type Intent = 'obligation' | 'lot' | 'retirement' | 'remove'
export const INTENTS: readonly Intent[] = ['obligation', 'lot', 'retirement', 'remove']

/** The form fields of the entry forms and their labels. */
export const FIELD_LABELS: Record<string, string> = {
  period: 'Compliance year',
  deficitsMT: 'Deficits (MT CO2e)',
  class: 'Class',
  retailSalesMWh: 'Retail sales (MWh)',
  percent: 'Percentage',
  vintage: 'Vintage',
  quantity: 'Quantity',
  retiredOn: 'Date retired',
}

/** The form field of a carve-out's percentage (`carveOut.SOLAR`). */
export const carveOutField = (className: string) => `carveOut.${className}`

export function labelOf(field: string): string {
  if (field.startsWith('carveOut.')) return `${field.slice('carveOut.'.length)} percentage`
  return FIELD_LABELS[field] ?? field
}

export type FieldProblem = { field: string; message: string }

/**
 * A number typed into a form: thousands separators allowed (`100,000`); empty or not a number is
 * a problem naming the field. The service checks the rest (whole, decimals, range).
 */
export function readNumber(form: FormData, field: string): number | FieldProblem {
  const text = String(form.get(field) ?? '').trim().replace(/,/g, '')
  if (text === '') return { field, message: `${labelOf(field)}: enter a number` }
  const value = Number(text)
  if (!Number.isFinite(value) || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return { field, message: `${labelOf(field)}: not a number (${text.slice(0, 40)})` }
  return value
}

export const isProblem = (value: unknown): value is FieldProblem => typeof value === 'object' && value !== null && 'field' in value && 'message' in value

/** What an entry form was filled with, to show again after a refusal. */
export function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [key, value] of form.entries()) if (typeof value === 'string' && key !== 'intent') values[key] = value.slice(0, 200)
  return values
}

const KIND_OF_INTENT: Record<Exclude<Intent, 'remove'>, string> = { obligation: 'obligations', lot: 'lots', retirement: 'retirements' }

/**
 * The form field a refusal's path points at (`obligations.0.carveOuts.1.percent` is the form's
 * second carve-out), or null when it is no field of the form (a stored entry, the program).
 * `carveOuts` are the carve-out classes in the order the action sent them.
 */
export function formFieldOf(intent: Intent, path: string, carveOuts: readonly string[] = []): string | null {
  if (intent === 'remove') return null
  if (path === 'retired') return intent === 'retirement' ? 'quantity' : null
  const prefix = `${KIND_OF_INTENT[intent]}.0`
  if (path === prefix) return intent === 'obligation' ? 'period' : null
  if (!path.startsWith(`${prefix}.`)) return null
  const rest = path.slice(prefix.length + 1)
  const carve = /^carveOuts\.(\d+)(\.\w+)?$/.exec(rest)
  if (carve) {
    const className = carveOuts[Number(carve[1])]
    return className ? carveOutField(className) : null
  }
  const field = rest.split('.')[0] ?? ''
  return field in FIELD_LABELS ? field : null
}

/**
 * The message of a refusal for the form: the API's path at its start (`lots.0.quantity: ...`)
 * replaced by the field's label (`Quantity: ...`); kept as it is when it names no form field.
 */
export function formMessage(message: string, path: string, field: string | null): string {
  if (field === null || !message.startsWith(`${path}: `)) return message
  return `${labelOf(field)}: ${message.slice(path.length + 2)}`
}
