import type { ReactNode } from 'react'
import './listHeading.css'

/**
 * A list's title and how many it holds, side by side; the count is announced when it changes
 * (a filter, a seed run), without moving focus.
 */
export function ListHeading({
  id,
  title,
  count,
}: {
  /** Names the list: its region's aria-labelledby. */
  id: string
  title: string
  count: ReactNode
}) {
  return (
    <div className="panel-heading">
      <h2 id={id} className="panel-title">
        {title}
      </h2>
      <span className="count" aria-live="polite" aria-atomic="true">
        {count}
      </span>
    </div>
  )
}
