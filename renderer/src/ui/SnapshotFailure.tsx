/**
 * Why an aggregate gets no new snapshots (AggregateView.snapshotFailure): the server's latest
 * failure to take one. Saves and loads still work, so it is a warning, not an error: a note in
 * the Snapshots tab and a badge among the header's facts, worded the same in both.
 */
import type { SnapshotFailureDto } from '../../../shared/contract'
import { formatDateTime, type TimeZoneMode } from '../lib/format'
import { revealInvisible, visible } from './VisibleText'
import './snapshotFailure.css'

/** "Snapshots fail for this aggregate: v12: <the reason>", in one line. */
export function snapshotFailureText(failure: SnapshotFailureDto): string {
  return `Snapshots fail for this aggregate: v${failure.version}: ${revealInvisible(failure.message)}`
}

/** The Snapshots tab's account of the failure, with what it means for the user. */
export function SnapshotFailureNote({
  failure,
  timezone,
  noneStored,
}: {
  failure: SnapshotFailureDto
  timezone: TimeZoneMode
  /** No snapshot of the aggregate is stored at all. */
  noneStored: boolean
}) {
  return (
    <div className="feature-alert feature-alert--warning snapshot-failure" role="status">
      <p className="feature-alert__title">
        <span aria-hidden="true">⚠ </span>
        Snapshots fail for this aggregate: v{failure.version}: {visible(failure.message)}
      </p>
      <p className="feature-alert__message">
        Last tried <time dateTime={failure.at}>{formatDateTime(failure.at, timezone)}</time>. The
        events are stored and loads still work, but{' '}
        {noneStored
          ? 'no load can start from a stored snapshot'
          : 'none can start from a snapshot newer than the last one taken'}
        . Later saves and loads try again.
      </p>
    </div>
  )
}

/** The header's small warning beside "Loaded from"; the whole reason in its name and title. */
export function SnapshotFailureBadge({ failure }: { failure: SnapshotFailureDto }) {
  const text = snapshotFailureText(failure)
  return (
    <span
      className="badge badge-warn snapshot-failure-badge"
      role="status"
      aria-label={text}
      title={text}
    >
      ⚠ snapshots fail
    </span>
  )
}
