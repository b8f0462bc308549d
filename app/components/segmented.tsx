import { Link } from '@remix-run/react'

export type SegmentOption = { value: string; label: string; href: string; disabled?: boolean; title?: string }

/**
 * A row of link buttons (tabs, switches): plain links with query params, so they work before
 * and without JavaScript. The current one carries aria-current.
 */
export function Segmented({ label, options, current }: { label: string; options: SegmentOption[]; current: string }) {
  return (
    <nav className="segmented" aria-label={label}>
      <span className="segmented-label" aria-hidden="true">
        {label}
      </span>
      {options.map((o) =>
        o.disabled ? (
          <span key={o.value} className="segment segment-disabled" title={o.title} aria-disabled="true">
            {o.label}
          </span>
        ) : (
          <Link
            key={o.value}
            to={o.href}
            className={o.value === current ? 'segment segment-current' : 'segment'}
            aria-current={o.value === current ? 'page' : undefined}
            title={o.title}
            preventScrollReset
          >
            {o.label}
          </Link>
        ),
      )}
    </nav>
  )
}
