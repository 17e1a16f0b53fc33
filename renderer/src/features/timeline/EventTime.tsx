/**
 * A timeline row's Time cell: the time to the millisecond, the date above it when the day
 * changed since the row above, and a mark when the event is stamped earlier than the version
 * before it (a writer whose clock was behind), so neither reads as milliseconds apart.
 */
import type { EventDto } from '../../../../shared/contract'
import { formatDateTime, formatGap, timelineTime, type TimeZoneMode } from '../../lib/format'

export function EventTime({
  event,
  above,
  previousVersion,
  timezone,
}: {
  event: EventDto
  /** The row above (in a filtered list, not always the version before); none on the first. */
  above: EventDto | undefined
  /** The event of the version before, when it is loaded. */
  previousVersion: EventDto | undefined
  timezone: TimeZoneMode
}) {
  const { date, time } = timelineTime(event.timestamp, above?.timestamp, timezone)
  const earlierBy = previousVersion
    ? Date.parse(previousVersion.timestamp) - Date.parse(event.timestamp)
    : NaN
  const earlier =
    earlierBy > 0 && previousVersion
      ? `Earlier than version ${previousVersion.version}, by ${formatGap(earlierBy)}`
      : undefined
  return (
    <span role="cell" className="event-time mono">
      <time dateTime={event.timestamp} title={formatDateTime(event.timestamp, timezone)}>
        {date !== undefined && <span className="event-date">{date} </span>}
        {time}
      </time>
      {earlier && (
        <span className="event-earlier" role="img" aria-label={earlier} title={earlier}>
          <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">
            <path d="M6 1 11.5 11H.5Z" fill="currentColor" />
            <path d="M6 4.5v3M6 8.8v.7" stroke="var(--surface)" strokeWidth="1.3" />
          </svg>
        </span>
      )}
    </span>
  )
}
