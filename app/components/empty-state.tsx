import type { ReactNode } from 'react'

/** A quiet panel for "nothing here yet", with an optional next step. */
export function EmptyState({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="empty-state" role="status">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  )
}

/** The empty state of every price view before any data arrived. */
export function NoPricesYet() {
  return (
    <EmptyState
      title={
        <>
          No prices yet — run <code>npx carbon seed-demo</code> or wait for ingestion.
        </>
      }
    />
  )
}
