import { useQuery } from '@tanstack/react-query'
import { useId } from 'react'
import { useApi } from '../../service'
import { keys } from '../../queries/keys'
import { formatDateTime, type TimeZoneMode } from '../../lib/format'
import { useSelectionStore } from '../../stores/selectionStore'
import type { ResponseOf } from '../../../../shared/contract'
import { ErrorAlert } from '../../ui/errors'
import '../../ui/feature.css'
import { ActivityHistogram } from './ActivityHistogram'
import './activity.css'

const BUCKETS = 60
const CHART_HEIGHT = 180

type Activity = ResponseOf<'getActivity'>

const numberFormat = new Intl.NumberFormat()

function summarize(activity: Activity, scope: string, timezone: TimeZoneMode): string {
  const full = (iso: string) => formatDateTime(iso, timezone)
  const { buckets, total } = activity
  const first = buckets[0]
  const last = buckets[buckets.length - 1]
  if (total === 0 || !first || !last) return `Activity of ${scope}: no events yet.`
  let busiest = first
  for (const bucket of buckets) if (bucket.events > busiest.events) busiest = bucket
  const active = buckets.filter((bucket) => bucket.events > 0).length
  return (
    `Activity of ${scope}: ${numberFormat.format(total)} ${total === 1 ? 'event' : 'events'} ` +
    `from ${full(first.start)} to ${full(last.start)}, ` +
    `in ${active} of ${buckets.length} time buckets; the busiest bucket, starting ${full(busiest.start)}, ` +
    `had ${numberFormat.format(busiest.events)}.${activity.sampled ? ` ${sampleNote(activity)}` : ''}`
  )
}

/** What a sampled chart counts: its newest events, and of how many when that is known. */
function sampleNote({ total, allEvents }: Activity): string {
  const of = allEvents === undefined ? '' : ` of ${numberFormat.format(allEvents)}`
  return `Only the newest ${numberFormat.format(total)} events${of} are charted.`
}

/** Events over time, for the whole store (no id) or one aggregate, kept fresh by pushed changes. */
export function ActivityPanel({ aggregateId }: { aggregateId?: string }) {
  const headingId = useId()
  const tableId = useId()
  const timezone = useSelectionStore((state) => state.timezone)
  const api = useApi()
  // Kept fresh by pushed changes (queries/serverEvents marks it stale, throttled there).
  const query = useQuery({
    queryKey: keys.activity(aggregateId),
    queryFn: () =>
      api.getActivity({ ...(aggregateId ? { id: aggregateId } : {}), buckets: BUCKETS }),
  })
  const activity = query.data
  const error = query.error ?? undefined
  const loading = query.isFetching
  const { refetch } = query
  const load = () => void refetch()

  const scope = aggregateId ? `aggregate ${aggregateId.slice(0, 8)}` : 'the whole store'
  const summary = activity ? summarize(activity, scope, timezone) : undefined

  return (
    <section
      className="activity-panel feature-panel"
      aria-labelledby={headingId}
      aria-busy={loading}
    >
      <div className="activity-panel__header">
        <h3 id={headingId} className="feature-heading">
          Activity {aggregateId ? 'of this aggregate' : 'of the whole store'}
        </h3>
        <p className="activity-panel__total" aria-hidden={activity === undefined}>
          {activity ? <TotalLine activity={activity} /> : ' '}
        </p>
        <button type="button" className="btn btn-ghost btn-sm" onClick={load} disabled={loading}>
          Refresh
        </button>
      </div>
      {error !== undefined && <ErrorAlert error={error} context="Could not load the activity" />}
      <div className="activity-chart" style={{ height: CHART_HEIGHT }}>
        {activity && activity.total > 0 ? (
          <ActivityHistogram
            buckets={activity.buckets}
            summary={summary ?? ''}
            timezone={timezone}
          />
        ) : (
          <p className="activity-chart__empty muted">
            {activity ? 'No events yet.' : loading ? 'Loading the activity…' : ''}
          </p>
        )}
      </div>
      {activity && (
        <table id={tableId} className="visually-hidden">
          <caption>Events per time bucket, {scope}</caption>
          <thead>
            <tr>
              <th scope="col">Bucket start</th>
              <th scope="col">Events</th>
            </tr>
          </thead>
          <tbody>
            {activity.buckets.map((bucket) => (
              <tr key={bucket.start}>
                <th scope="row">{formatDateTime(bucket.start, timezone)}</th>
                <td>{bucket.events}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** How many events there are (when known) and how many the chart counts. */
function TotalLine({ activity }: { activity: Activity }) {
  const { total, sampled, allEvents } = activity
  if (!sampled)
    return (
      <>
        <strong>{numberFormat.format(total)}</strong> {total === 1 ? 'event' : 'events'}
      </>
    )
  return allEvents === undefined ? (
    <>
      the newest <strong>{numberFormat.format(total)}</strong> events
      <span className="muted"> charted</span>
    </>
  ) : (
    <>
      <strong>{numberFormat.format(allEvents)}</strong> events
      <span className="muted"> · the newest {numberFormat.format(total)} charted</span>
    </>
  )
}
