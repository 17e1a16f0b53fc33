/** The activity chart: events counted into round-sized time buckets. */
import type { ParsedRequestOf, ResponseOf } from '../../shared/contract'
import type { LogEntry } from '../eventsourcing'
import type { Connection } from './connection'
import * as reads from './historyReads'
import type { QueryContext } from './queries'

/** How many recent log entries (or one aggregate's newest events) the chart counts. */
const ACTIVITY_SAMPLE = 10_000
const ACTIVITY_PAGE = 1000

const NICE_WIDTHS_MS = [
  1,
  10,
  100,
  1000,
  5000,
  10_000,
  30_000,
  60_000,
  5 * 60_000,
  10 * 60_000,
  30 * 60_000,
  3600_000,
  3 * 3600_000,
  6 * 3600_000,
  12 * 3600_000,
  86_400_000,
  7 * 86_400_000,
  30 * 86_400_000,
  365 * 86_400_000,
]

/** Counts events into at most `count` equal, round-sized time buckets (empty ones included). */
export function bucketize(
  points: ReadonlyArray<{ at: number; events: number }>,
  count: number,
): { buckets: Array<{ start: string; events: number }>; total: number } {
  if (points.length === 0) return { buckets: [], total: 0 }
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const p of points) {
    if (p.at < min) min = p.at
    if (p.at > max) max = p.at
  }
  let width = 0
  let start = min
  let n = 0
  for (const w of NICE_WIDTHS_MS) {
    const s = Math.floor(min / w) * w
    const k = Math.floor((max - s) / w) + 1
    if (k <= count) {
      width = w
      start = s
      n = k
      break
    }
  }
  if (width === 0) {
    width = Math.ceil((max - min + 1) / count)
    start = min
    n = Math.floor((max - start) / width) + 1
  }
  const counts = new Array<number>(n).fill(0)
  let total = 0
  for (const p of points) {
    const i = Math.min(n - 1, Math.floor((p.at - start) / width))
    counts[i] = (counts[i] ?? 0) + p.events
    total += p.events
  }
  return {
    buckets: counts.map((events, i) => ({
      start: new Date(start + i * width).toISOString(),
      events,
    })),
    total,
  }
}

/** One counted batch (store-wide) or event (one aggregate). */
interface Point {
  readonly at: number
  readonly events: number
}

/**
 * The newest ACTIVITY_SAMPLE entries of a connection's log as last counted, oldest first, so that
 * the next count reads only the entries after them: the UI asks again after every batch the
 * live view brings (throttled), each client on its own, and counting the whole sample again
 * took 35–86 ms of the server's thread on a store of 100,000 aggregates.
 */
interface LogSample {
  /** Each with its entry's position. */
  readonly points: Array<Point & { readonly position: string }>
  sampled: boolean
}

/** The newest events of an aggregate as last counted, oldest first, up to its `toVersion`. */
interface AggregateSample {
  readonly toVersion: number
  readonly points: Point[]
}

/** Aggregates whose sample a connection keeps (the most recently asked for). */
const AGGREGATE_SAMPLES = 8

const logSamples = new WeakMap<Connection, LogSample>()
const aggregateSamples = new WeakMap<Connection, Map<string, AggregateSample>>()

function pointOf(entry: LogEntry): LogSample['points'][number] {
  return {
    position: entry.position,
    at: entry.recordedAt.getTime(),
    events: entry.toVersion - entry.fromVersion + 1,
  }
}

/** The store-wide sample, brought up to the log's newest entry. */
async function logSample(c: Connection): Promise<LogSample> {
  const log = c.app.log
  const known = logSamples.get(c)
  // Positions handed out in commit order (not Cassandra's, from several writers' clocks): an
  // entry after the newest one counted is never older than it, so reading on is enough.
  const last = known?.points[known.points.length - 1]?.position
  if (known && last !== undefined && log.reorderWindowMs === 0) {
    const [newest] = await log.read({ desc: true, limit: 1 })
    if (newest?.position === last) return known
    const after = await log.read({ after: last, limit: ACTIVITY_SAMPLE + 1 })
    // Another call brought the sample on meanwhile: start again from where it is now.
    if (logSamples.get(c) !== known || known.points[known.points.length - 1]?.position !== last)
      return logSample(c)
    // Read on up to the newest entry seen a moment ago (a later one is counted next time); a
    // log that does not lead there (another store behind the same connection) is read afresh.
    const upTo = after.findIndex((entry) => entry.position === newest?.position)
    if (upTo >= 0) {
      for (const entry of after.slice(0, upTo + 1)) known.points.push(pointOf(entry))
      const excess = known.points.length - ACTIVITY_SAMPLE
      if (excess > 0) {
        known.points.splice(0, excess)
        known.sampled = true
      }
      return known
    }
  }
  const entries = await log.read({ desc: true, limit: ACTIVITY_SAMPLE + 1 })
  const kept = entries.slice(0, ACTIVITY_SAMPLE).reverse()
  const sample: LogSample = {
    points: kept.map(pointOf),
    sampled: entries.length > ACTIVITY_SAMPLE,
  }
  logSamples.set(c, sample)
  return sample
}

/**
 * One aggregate's newest ACTIVITY_SAMPLE events, counted from the sample kept of it, whose
 * versions are read only once (an aggregate's events never change; a newest version below the
 * one counted means another history, counted afresh).
 */
async function aggregateSample(c: Connection, id: string): Promise<AggregateSample> {
  let samples = aggregateSamples.get(c)
  if (!samples) aggregateSamples.set(c, (samples = new Map()))
  const latest = (await reads.latestRecord(c, id)).originatorVersion
  const first = Math.max(0, latest - ACTIVITY_SAMPLE + 1)
  const known = samples.get(id)
  if (known && known.toVersion === latest) return known
  // The versions counted already that are still among the newest ACTIVITY_SAMPLE, if any.
  const reuse = known !== undefined && known.toVersion < latest && known.toVersion >= first
  const points = reuse ? known.points.slice() : []
  const from = reuse ? known.toVersion + 1 : first
  for await (const page of c.app.eventPages(id, {
    gt: from - 1,
    lte: latest,
    pageSize: ACTIVITY_PAGE,
  })) {
    for (const event of page) points.push({ at: event.timestamp.getTime(), events: 1 })
  }
  // Keeps the versions from `first` on.
  if (points.length > ACTIVITY_SAMPLE) points.splice(0, points.length - ACTIVITY_SAMPLE)
  const sample: AggregateSample = { toVersion: latest, points }
  samples.delete(id)
  samples.set(id, sample)
  if (samples.size > AGGREGATE_SAMPLES) samples.delete(samples.keys().next().value!)
  return sample
}

/** The getActivity query (queries.ts has the others). */
export async function getActivity(
  ctx: QueryContext,
  { id, buckets }: ParsedRequestOf<'getActivity'>,
): Promise<ResponseOf<'getActivity'>> {
  const c = ctx.conn()
  if (id === undefined) {
    const sample = await logSample(c)
    return { ...bucketize(sample.points, buckets), sampled: sample.sampled }
  }
  const sample = await aggregateSample(c, id)
  // As before: the sample is the versions from `toVersion - ACTIVITY_SAMPLE + 1` on; versions
  // start at 0, so the aggregate has toVersion + 1 events.
  const all = sample.toVersion + 1
  const sampled = all > ACTIVITY_SAMPLE
  return { ...bucketize(sample.points, buckets), sampled, ...(sampled ? { allEvents: all } : {}) }
}
