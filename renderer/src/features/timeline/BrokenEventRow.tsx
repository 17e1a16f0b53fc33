/**
 * A timeline row for a version that cannot be shown: missing from the store, failing its hash,
 * unreadable, or after such a version on the same page (not verified, so not shown). It says
 * why, instead of a placeholder that would never load.
 */
import type { CSSProperties } from 'react'
import { EVENT_ROW_HEIGHT } from './EventRow'
import './timeline.css'

export function BrokenEventRow(props: {
  index: number
  version: number
  measureRef: (el: Element | null) => void
  style: CSSProperties
  /** The first version that failed (this row's own version when it is the bad one). */
  brokenAt: number
  /** The service's explanation of the failure (for the bad row), or of the page's error. */
  message: string
  /** The page failed for another reason (the store, the connection): nothing is known. */
  failed?: boolean
}) {
  const { version, brokenAt, message } = props
  const text = props.failed
    ? `could not be loaded: ${message}`
    : version === brokenAt
      ? `fails verification: ${message}`
      : `not shown: v${brokenAt} before it fails verification, so this version cannot be verified`
  return (
    <div
      ref={props.measureRef}
      data-index={props.index}
      role="row"
      aria-rowindex={props.index + 2}
      className="virtual-row event-row is-broken"
      style={{ minHeight: EVENT_ROW_HEIGHT, ...props.style }}
    >
      <div className="event-grid">
        <span role="cell" className="event-version mono">
          v{version}
        </span>
        <span role="cell" className="event-broken-text tone-danger" title={text}>
          <span aria-hidden="true">⚠ </span>
          {text}
        </span>
      </div>
    </div>
  )
}
