/** One choice of a curve page's date select: the query value and what the option says. */
export type DateChoice = { value: string; label: string }

/** Plain as-of dates as choices (the option says the date). */
export const dateChoices = (dates: readonly string[]): DateChoice[] => dates.map((d) => ({ value: d, label: d }))

/**
 * A labelled select of a curve page's GET form ("As of", "Compare with"): the query parameter
 * `name`, the current value selected, and with `none` a first empty choice (no comparison). Keyed
 * on the current value, so a client-side navigation resets it to what the page shows.
 */
export function CurveDateSelect({ label, name, current, choices, none }: { label: string; name: string; current: string; choices: readonly DateChoice[]; none?: string }) {
  return (
    <label className="curve-date-field">
      <span className="segmented-label">{label}</span>
      <select name={name} defaultValue={current} key={`${name}-${current}`}>
        {none !== undefined ? <option value="">{none}</option> : null}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  )
}
