/**
 * Whether the connected store answers: "Unavailable since 12:03:04" during an outage, and
 * "Recovered 12:04:30 after 1 min 26 s" for a while after it (for good in the detailed form).
 */
import { useEffect, useState } from 'react'
import type { ConnectionInfo } from '../../../../shared/contract'
import { formatClock } from '../../lib/format'
import { useSelectionStore } from '../../stores/selectionStore'

type Availability = NonNullable<ConnectionInfo['availability']>

/** How long the status bar keeps saying "Recovered" after an outage. */
const RECOVERED_NOTICE_MS = 2 * 60_000

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** The status bar's clock, per the Local/UTC choice like every other time. */
function useClock(): (iso: string) => string {
  const timezone = useSelectionStore((s) => s.timezone)
  return (iso) => formatClock(iso, timezone)
}

type Outage = NonNullable<Availability['lastOutage']>

function outageText(outage: Outage): string {
  return `after ${formatDuration(Date.parse(outage.to) - Date.parse(outage.from))} unavailable`
}

/** The status bar's badge: only while unavailable, or just after a recovery. */
export function AvailabilityBadge({ availability }: { availability: Availability | undefined }) {
  const recoveredAt = availability?.lastOutage ? Date.parse(availability.lastOutage.to) : undefined
  const [, rerender] = useState(0)
  const time = useClock()
  // Hide the "Recovered" notice once it is old.
  useEffect(() => {
    if (availability?.state !== 'available' || recoveredAt === undefined) return
    const left = recoveredAt + RECOVERED_NOTICE_MS - Date.now()
    if (left <= 0) return
    const timer = setTimeout(() => rerender((n) => n + 1), left)
    return () => clearTimeout(timer)
  }, [availability?.state, recoveredAt])

  if (!availability) return null
  if (availability.state === 'unavailable') {
    const text = `Unavailable since ${time(availability.since)}`
    return (
      <span
        className="badge badge-danger"
        role="status"
        aria-label={`Store ${text.toLowerCase()}${availability.reason ? `: ${availability.reason}` : ''}`}
        title={availability.reason}
      >
        {text}
      </span>
    )
  }
  const outage = availability.lastOutage
  if (!outage || Date.now() - Date.parse(outage.to) > RECOVERED_NOTICE_MS) return null
  const text = `Recovered ${time(outage.to)}`
  return (
    <span
      className="badge badge-ok"
      role="status"
      aria-label={`Store ${text.toLowerCase()} ${outageText(outage)}`}
      title={`Unavailable from ${time(outage.from)} to ${time(outage.to)}`}
    >
      {text}
    </span>
  )
}

/** The connection screen's line: the state, since when, and the last outage. */
export function AvailabilityDetail({ availability }: { availability: Availability }) {
  const time = useClock()
  if (availability.state === 'unavailable') {
    return (
      <span>
        <span className="badge badge-danger">Unavailable since {time(availability.since)}</span>{' '}
        {availability.reason && <span className="muted">{availability.reason}</span>}
      </span>
    )
  }
  const outage = availability.lastOutage
  return (
    <span>
      <span className="badge badge-ok">Answering</span>{' '}
      {outage && (
        <span className="muted">
          recovered {time(outage.to)} {outageText(outage)} (since {time(outage.from)})
        </span>
      )}
    </span>
  )
}
