/**
 * Diffs and activity over a Python store. No definition of its aggregates is loaded, so no
 * event can be applied: a state is known only at a version that has a snapshot, and an event's
 * change is what its own fields say.
 */
import type { ParsedRequestOf, ResponseOf } from '../../../shared/contract'
import { DataIntegrityError } from '../../eventsourcing'
import { bucketize } from '../activity'
import { diffDisplay } from '../displayDiff'
import { toDisplayJson } from '../displayJson'
import type { PythonRecord } from './codec'
import { isoOf } from './listing'
import { eventAtVersion, snapshotDto } from './records'
import type { PythonSession } from './session'

/** Fields of every event that the row already shows: not part of what it changes. */
const BOOKKEEPING = new Set(['originator_id', 'originator_version', 'timestamp'])

/**
 * The event's own fields, each as added: the state before it is not known (no event is
 * applied), so comparing with the previous event's payload would show a change it did not make.
 */
export async function getEventDiff(
  s: PythonSession,
  r: ParsedRequestOf<'getEventDiff'>,
): Promise<ResponseOf<'getEventDiff'>> {
  const record = await eventAtVersion(s, r.id, r.version)
  const fields = Object.fromEntries(
    Object.entries(s.codec.decode(record)).filter(([key]) => !BOOKKEEPING.has(key)),
  )
  return diffDisplay(null, toDisplayJson(fields))
}

/**
 * Between the states at two versions, known only where each has a snapshot of its own: a
 * version above its snapshot has events after it that cannot be applied, so equal snapshots
 * would say nothing of the states. Then no diff is claimed, and `cannotCompare` says why.
 */
export async function diffVersions(
  s: PythonSession,
  r: ParsedRequestOf<'diffVersions'>,
): Promise<ResponseOf<'diffVersions'>> {
  const snapshotAt = async (version: number): Promise<PythonRecord | undefined> =>
    (await s.reader.snapshots(r.id, { gt: version - 1, lte: version }))[0]
  const [from, to] = [await snapshotAt(r.from), await snapshotAt(r.to)]
  if (!from || !to) {
    if (r.from === r.to) return { diff: [] }
    const missing = [!from ? r.from : undefined, !to ? r.to : undefined]
      .filter((v) => v !== undefined)
      .map((v) => `v${v}`)
      .join(' and ')
    return {
      diff: [],
      cannotCompare: `${missing} ${missing.includes(' and ') ? 'have' : 'has'} no snapshot of ${missing.includes(' and ') ? 'their' : 'its'} own: a Python store's events cannot be applied here, so the state there is not known. Compare two versions that have snapshots.`,
    }
  }
  let fromState, toState
  try {
    ;[fromState, toState] = [snapshotDto(s, from).state, snapshotDto(s, to).state]
  } catch (error) {
    if (!(error instanceof DataIntegrityError)) throw error
    // A damaged snapshot: its state is not known either, and the answer says why.
    return { diff: [], cannotCompare: `a snapshot cannot be read: ${error.message}` }
  }
  const diff = diffDisplay(fromState, toState)
  return r.states ? { from: fromState, to: toState, diff } : { diff }
}

const ACTIVITY_SAMPLE = 5000

/** The chart from the newest ACTIVITY_SAMPLE events; the total counted where it is cheap. */
export async function getActivity(
  s: PythonSession,
  r: ParsedRequestOf<'getActivity'>,
): Promise<ResponseOf<'getActivity'>> {
  let records: PythonRecord[]
  let total: number | undefined
  let sampled = false
  if (r.id) {
    records = await s.reader.events(r.id, { desc: true, limit: ACTIVITY_SAMPLE })
    if (records.length === ACTIVITY_SAMPLE) {
      // The versions follow one another (as getAggregate checks): newest minus first, plus one.
      const [first] = await s.reader.events(r.id, { limit: 1 })
      total = records[0]!.originatorVersion - (first?.originatorVersion ?? 0) + 1
      sampled = total > records.length
    }
  } else {
    // The newest events of the notification log; none without one.
    const last = (await s.reader.lastNotificationId()) ?? 0
    records = await s.reader.notifications(Math.max(0, last - ACTIVITY_SAMPLE), ACTIVITY_SAMPLE)
    // Ids do not count the events exactly (PostgreSQL skips some, for transactions rolled
    // back): only the newest are charted, and no total is claimed.
    if (last > ACTIVITY_SAMPLE) sampled = true
  }
  const points = []
  for (const record of records) {
    try {
      points.push({ at: Date.parse(isoOf(s.codec.decode(record)['timestamp'])), events: 1 })
    } catch (error) {
      if (!(error instanceof DataIntegrityError)) throw error
    }
  }
  const counted = bucketize(points, r.buckets)
  return {
    ...counted,
    sampled,
    ...(sampled && total !== undefined ? { allEvents: total } : {}),
  }
}
