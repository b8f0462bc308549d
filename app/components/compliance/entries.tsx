import { Form } from '@remix-run/react'
import type { ComponentPropsWithoutRef, ReactNode } from 'react'
import type { EntriesOutput, ProgramSummary } from '#server/services/compliance/schemas.ts'
import type { ActionAnswer } from './types.ts'
import { carveOutField, labelOf } from './form-fields.ts'
import { formatUnits } from './positions.tsx'

/**
 * The entries of one program (obligations, holding lots, retirements) with a remove button each,
 * and the forms that record them. Plain server-rendered forms (Remix actions); the CSRF check is
 * the server's same-origin rule for every hub form (server/http/security.ts).
 */

type Kind = 'obligations' | 'lots' | 'retirements'

function RemoveButton({ kind, id, what }: { kind: Kind; id: string; what: string }) {
  return (
    <Form method="post" className="inline-form">
      <input type="hidden" name="intent" value="remove" />
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="button button-small button-danger" aria-label={`Remove ${what}`}>
        Remove
      </button>
    </Form>
  )
}

function EntryTable({ title, headings, canWrite, children, empty }: { title: string; headings: string[]; canWrite: boolean; children: ReactNode[]; empty: string }) {
  return (
    <section className="panel" aria-label={title}>
      <header className="panel-header">
        <h2>{title}</h2>
      </header>
      {children.length === 0 ? (
        <p className="panel-empty muted">{empty}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                {headings.map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
                <th scope="col">Entered by</th>
                {canWrite ? (
                  <th scope="col">
                    <span className="sr-only">Remove</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>{children}</tbody>
          </table>
        </div>
      )}
    </section>
  )
}

const enteredBy = (e: { enteredByLabel: string; enteredVia: string; createdAt: string }) => (
  <td className="text muted">
    {e.enteredByLabel} ({e.enteredVia}, <time dateTime={e.createdAt}>{e.createdAt.slice(0, 10)}</time>)
  </td>
)

export function EntryTables({ program, entries, canWrite }: { program: ProgramSummary; entries: EntriesOutput; canWrite: boolean }) {
  const lcfs = program.kind === 'LCFS'
  return (
    <>
      <EntryTable
        title="Obligations"
        canWrite={canWrite}
        headings={lcfs ? ['Year', 'Deficits (MT CO2e)'] : ['Year', 'Class', 'Retail sales (MWh)', 'Percentage', 'Carve-outs']}
        empty="No obligation recorded."
      >
        {entries.obligations.map((o) => (
          <tr key={o.id} data-entry={o.id}>
            <th scope="row">{o.period}</th>
            {lcfs ? (
              <td className="num">{o.deficitsMT?.toLocaleString('en-US', { maximumFractionDigits: 3 })}</td>
            ) : (
              <>
                <td className="text mono">{o.class}</td>
                <td className="num">{o.retailSalesMWh?.toLocaleString('en-US', { maximumFractionDigits: 3 })}</td>
                <td className="num">{o.percent} %</td>
                <td className="text">{o.carveOuts.length === 0 ? '—' : o.carveOuts.map((c) => `${c.class} ${c.percent} %`).join(', ')}</td>
              </>
            )}
            {enteredBy(o)}
            {canWrite ? (
              <td>
                <RemoveButton kind="obligations" id={o.id} what={`the ${o.period} obligation of ${o.class}`} />
              </td>
            ) : null}
          </tr>
        ))}
      </EntryTable>
      <EntryTable title="Holding lots" canWrite={canWrite} headings={['Class', 'Vintage', 'Quantity']} empty="No lot recorded.">
        {entries.lots.map((l) => (
          <tr key={l.id} data-entry={l.id}>
            <th scope="row" className="mono">
              {l.class}
            </th>
            <td>{l.vintage}</td>
            <td className="num">{formatUnits(l.quantity)}</td>
            {enteredBy(l)}
            {canWrite ? (
              <td>
                <RemoveButton kind="lots" id={l.id} what={`the lot of ${l.quantity} ${l.class} vintage ${l.vintage}`} />
              </td>
            ) : null}
          </tr>
        ))}
      </EntryTable>
      <EntryTable title="Retirements" canWrite={canWrite} headings={['Year', 'Class', 'Vintage', 'Quantity', 'Retired on']} empty="No retirement recorded.">
        {entries.retirements.map((r) => (
          <tr key={r.id} data-entry={r.id}>
            <th scope="row">{r.period}</th>
            <td className="mono">{r.class}</td>
            <td>{r.vintage}</td>
            <td className="num">{formatUnits(r.quantity)}</td>
            <td>
              <time dateTime={r.retiredOn}>{r.retiredOn}</time>
            </td>
            {enteredBy(r)}
            {canWrite ? (
              <td>
                <RemoveButton kind="retirements" id={r.id} what={`the retirement of ${r.quantity} ${r.class} vintage ${r.vintage} against ${r.period}`} />
              </td>
            ) : null}
          </tr>
        ))}
      </EntryTable>
    </>
  )
}

type FieldProps = { form: string; name: string; answer: ActionAnswer | null; hint?: string; children?: ReactNode } & Omit<ComponentPropsWithoutRef<'input'>, 'form' | 'name' | 'children'>

/** One labelled input; after a refusal of its form it shows what was typed, and is marked invalid when it is the field at fault. */
function Field({ form, name, answer, hint, children, ...input }: FieldProps) {
  const id = `${form}-${name.replace(/\W/g, '-')}`
  const mine = answer?.intent === form ? answer : null
  const invalid = mine?.field === name
  const kept = mine?.values[name]
  return (
    <div className="field">
      <label htmlFor={id}>{labelOf(name)}</label>
      {children ?? (
        <input id={id} name={name} autoComplete="off" aria-invalid={invalid || undefined} aria-describedby={invalid ? `${form}-error` : undefined} defaultValue={kept} {...input} />
      )}
      {hint ? <p className="field-hint">{hint}</p> : null}
    </div>
  )
}

function ClassSelect({ form, classes, answer }: { form: string; classes: string[]; answer: ActionAnswer | null }) {
  const mine = answer?.intent === form ? answer : null
  return (
    <Field form={form} name="class" answer={answer}>
      <select id={`${form}-class`} name="class" defaultValue={mine?.values.class ?? classes[0]} aria-invalid={mine?.field === 'class' || undefined}>
        {classes.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </Field>
  )
}

function FormError({ form, answer }: { form: string; answer: ActionAnswer | null }) {
  if (answer?.intent !== form) return null
  return (
    <p className="flash flash-error form-foot" role="alert" id={`${form}-error`}>
      {answer.message}
    </p>
  )
}

const YEAR = { type: 'number', inputMode: 'numeric', min: 1990, max: 2100, step: 1, required: true } as const

export function EntryForms({ program, answer, latestRetirementDate, defaultYear }: { program: ProgramSummary; answer: ActionAnswer | null; latestRetirementDate: string; defaultYear: number }) {
  const lcfs = program.kind === 'LCFS'
  const headline = program.classes.filter((c) => c.carveOutOf === null).map((c) => c.class)
  const carveOuts = program.classes.filter((c) => c.carveOutOf !== null)
  const all = program.classes.map((c) => c.class)
  const unit = program.unit
  return (
    <>
      <Form method="post" className="search-form" aria-labelledby="obligation-title">
        <h2 className="form-title" id="obligation-title">
          Record an obligation
        </h2>
        <input type="hidden" name="intent" value="obligation" />
        <FormError form="obligation" answer={answer} />
        <Field form="obligation" name="period" answer={answer} {...YEAR} placeholder={String(defaultYear)} />
        {lcfs ? (
          <Field form="obligation" name="deficitsMT" answer={answer} inputMode="decimal" required hint="Up to 3 decimals; owed as whole credits, rounded up." />
        ) : (
          <>
            <ClassSelect form="obligation" classes={headline} answer={answer} />
            <Field form="obligation" name="retailSalesMWh" answer={answer} inputMode="decimal" required hint="Up to 3 decimals." />
            <Field form="obligation" name="percent" answer={answer} inputMode="decimal" required hint="The class's percentage, carve-outs included." />
            {carveOuts.map((c) => (
              <Field key={c.class} form="obligation" name={carveOutField(c.class)} answer={answer} inputMode="decimal" hint={`Carve-out of ${c.carveOutOf}; empty: none.`} />
            ))}
          </>
        )}
        <div className="field field-actions">
          <button type="submit" className="button button-primary">
            Record obligation
          </button>
        </div>
      </Form>

      <Form method="post" className="search-form" aria-labelledby="lot-title">
        <h2 className="form-title" id="lot-title">
          Record a holding lot
        </h2>
        <input type="hidden" name="intent" value="lot" />
        <FormError form="lot" answer={answer} />
        <ClassSelect form="lot" classes={all} answer={answer} />
        <Field form="lot" name="vintage" answer={answer} {...YEAR} />
        <Field form="lot" name="quantity" answer={answer} inputMode="numeric" required hint={`Whole certificates (${unit}).`} />
        <div className="field field-actions">
          <button type="submit" className="button button-primary">
            Record lot
          </button>
        </div>
      </Form>

      <Form method="post" className="search-form" aria-labelledby="retirement-title">
        <h2 className="form-title" id="retirement-title">
          Record a retirement
        </h2>
        <input type="hidden" name="intent" value="retirement" />
        <FormError form="retirement" answer={answer} />
        <Field form="retirement" name="period" answer={answer} {...YEAR} />
        <ClassSelect form="retirement" classes={all} answer={answer} />
        <Field form="retirement" name="vintage" answer={answer} {...YEAR} />
        <Field form="retirement" name="quantity" answer={answer} inputMode="numeric" required />
        <Field form="retirement" name="retiredOn" answer={answer} type="date" required max={latestRetirementDate} />
        <div className="field field-actions">
          <button type="submit" className="button button-primary">
            Record retirement
          </button>
        </div>
      </Form>
    </>
  )
}
