import { changeDirection, formatChange } from '#app/utils/format.ts'

const ARROWS = { up: '▲', down: '▼', flat: '▶', none: '' } as const
const WORDS = { up: 'up', down: 'down', flat: 'unchanged', none: 'no previous interval' } as const

/** A change vs the previous interval: arrow + signed value, green up, red down. */
export function PriceChange({ value }: { value: number | null | undefined }) {
  const direction = changeDirection(value)
  if (direction === 'none') return <span className="change change-none" title="No previous interval">—</span>
  return (
    <span className={`change change-${direction}`}>
      <span className="change-arrow" aria-hidden="true">
        {ARROWS[direction]}
      </span>
      <span className="sr-only">{WORDS[direction]} </span>
      {formatChange(value)}
    </span>
  )
}
